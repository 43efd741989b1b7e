/**
 * Writes test/fixtures/hand-counted/: a log whose counts are worked out by
 * hand in test/cli/check-hand-counted.test.ts. One event a minute for three
 * days up to T (each at :30 past the minute), every other one bad in the last
 * 30 minutes, and 100 events (5 bad) ten days earlier. Run once; committed.
 */

import { writeFileSync } from "node:fs";
import { join } from "node:path";

const T = Date.parse("2026-11-24T12:00:00Z");
const lines: string[] = [];
for (let k = 0; k < 100; k++) {
  const t = new Date(T - 10 * 86_400_000 - k * 60_000).toISOString();
  lines.push(JSON.stringify({ t, msg: k < 5 ? "db-timeout" : "ok", status: k < 5 ? 503 : 200 }));
}
for (let k = 4319; k >= 0; k--) {
  const t = new Date(T - k * 60_000 - 30_000).toISOString();
  const bad = k < 30 && k % 2 === 0;
  lines.push(JSON.stringify({ t, msg: bad ? "upstream-refused" : "ok", status: bad ? 502 : 200 }));
}
writeFileSync(
  join(import.meta.dirname, "..", "test", "fixtures", "hand-counted", "events.ndjson"),
  `${lines.join("\n")}\n`,
);
