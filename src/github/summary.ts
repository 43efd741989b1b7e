/**
 * The job summary: Markdown appended to the file GITHUB_STEP_SUMMARY names.
 * A plain file append, so `slo check --github` works outside the Actions
 * toolkit (core.summary.write() throws there).
 */

import { appendFile } from "node:fs/promises";
import { truncateMarkdown } from "./truncate.js";

/**
 * GitHub takes 1 MiB per step. A UTF-16 code unit is at most 3 bytes of UTF-8
 * (a surrogate pair, two units, is 4), so this many units always fit.
 */
export const SUMMARY_LIMIT = Math.floor((1024 * 1024) / 3);

export async function appendJobSummary(path: string, markdown: string): Promise<void> {
  const text = truncateMarkdown(
    markdown,
    SUMMARY_LIMIT,
    "The report was cut to fit the job summary's 1 MiB; the whole of it is in the `report` output (JSON).",
  );
  await appendFile(path, text.endsWith("\n") ? `${text}\n` : `${text}\n\n`);
}
