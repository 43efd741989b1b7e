/**
 * The deploy gate as a check run: created completed, with the Markdown report
 * as its summary; annotations past the first 50 go in further updates, as the
 * Checks API requires.
 */

import { ANNOTATIONS_PER_REQUEST, type Annotation, chunk } from "./annotations.js";
import type { GitHubClient } from "./client.js";

export type Conclusion = "success" | "failure" | "neutral";

export interface CheckRunInput {
  owner: string;
  repo: string;
  sha: string;
  name: string;
  conclusion: Conclusion;
  title: string;
  /** Markdown, already within CHECK_SUMMARY_LIMIT */
  summary: string;
  annotations: Annotation[];
  detailsUrl?: string | null | undefined;
}

/** output.summary and output.text take at most 65535 characters each. */
export const CHECK_SUMMARY_LIMIT = 65_535;

export async function publishCheckRun(
  client: GitHubClient,
  input: CheckRunInput,
): Promise<{ id: number; url: string | null }> {
  const [first = [], ...rest] = chunk(input.annotations, ANNOTATIONS_PER_REQUEST);
  const output = { title: input.title, summary: input.summary };
  const { data } = await client.rest.checks.create({
    owner: input.owner,
    repo: input.repo,
    name: input.name,
    head_sha: input.sha,
    status: "completed",
    conclusion: input.conclusion,
    completed_at: new Date().toISOString(),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output: { ...output, ...(first.length > 0 ? { annotations: first } : {}) },
  });
  for (const annotations of rest) {
    await client.rest.checks.update({
      owner: input.owner,
      repo: input.repo,
      check_run_id: data.id,
      output: { ...output, annotations },
    });
  }
  return { id: data.id, url: data.html_url ?? null };
}
