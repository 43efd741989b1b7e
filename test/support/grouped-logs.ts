/**
 * Fixtures for a grouped SLO over a logs source: NDJSON log lines of one
 * action each, and a fresh folder holding them as `app.ndjson` beside an
 * `slo.yaml` for service bank, whose logs source reads that file and whose
 * first SLO is `availability` (objective 90%, window 1d).
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The ratio indicator over the logs source: a status of 500 or more is bad, every line counts. */
export const RATIO_INDICATOR =
  "indicator: { ratio: { source: logs, bad: '| json | status >= 500', total: '| json' } }";

/** The start of every `slo.yaml`: the service, its logs source, and the head of `availability`. */
const SLO_HEADER = `service: bank
sources:
  logs: { type: logs, paths: [app.ndjson], timestamp: ts }
slos:
  - name: availability
    objective: 90%
    window: 1d
`;

/** One action's log lines: `count` of them, the first `bad` of them 500s, the rest 200s. */
export type ActionLines = (action: string | undefined, count: number, bad: number) => string[];

/**
 * Log lines an hour before `at`, a second apart: `count` lines of `action`,
 * the first `bad` of them 500s. Without an action, the lines have no action field.
 */
export function actionLinesBefore(at: string): ActionLines {
  const t0 = Date.parse(at) - 3_600_000;
  return (action, count, bad) =>
    Array.from({ length: count }, (_, i) =>
      JSON.stringify({
        ts: new Date(t0 + i * 1000).toISOString(),
        ...(action === undefined ? {} : { action }),
        status: i < bad ? 500 : 200,
      }),
    );
}

/**
 * Writes `log` as `app.ndjson` and an `slo.yaml` into a fresh temporary
 * folder named from `prefix`: the common header (through availability's
 * `window: 1d` line), then `rest`, the rest of availability and any further
 * SLOs, as given. Returns the path of the `slo.yaml`.
 */
export function writeGroupedLogsWorkspace(prefix: string, log: string[], rest: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, "app.ndjson"), `${log.join("\n")}\n`);
  const slo = join(dir, "slo.yaml");
  writeFileSync(slo, SLO_HEADER + rest);
  return slo;
}
