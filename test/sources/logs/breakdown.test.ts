/** What spent the budget on log files: values apart from slo's own buckets, cut long values, bounded counts. */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countOne, logsSpec, ratio, request, T } from "./helpers.js";

const BAD = ratio({ total: "| json", bad: "| json | status >= 500" });

/** A log of bad events (status 500) in the last hour, one line per msg (undefined: no msg). */
function badEvents(msgs: (string | undefined)[]): string {
  const dir = mkdtempSync(join(tmpdir(), "slo-breakdown-"));
  const t = new Date(T - 60_000).toISOString();
  const lines = msgs.map((msg) => JSON.stringify({ t, status: 500, msg }));
  writeFileSync(join(dir, "events.ndjson"), `${lines.join("\n")}\n`);
  return dir;
}

describe("breakdown buckets and values", () => {
  it("keeps values written (none) or (other) apart from events without the field", async () => {
    const dir = badEvents(["(none)", undefined, undefined, "(other)", "(none)", undefined]);
    const result = await countOne(
      logsSpec(["events.ndjson"], { baseDir: dir }),
      request(BAD, { breakdown: { by: "msg", limit: 10 } }),
    );
    expect(result.breakdown).toEqual([
      { bucket: "none", count: 3 },
      { value: "(none)", count: 2 },
      { value: "(other)", count: 1 },
    ]);
  });
});
