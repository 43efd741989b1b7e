/**
 * Reports with deploys, made by hand on top of a real
 * report (real SLO file, real pipeline, made-up counts), and checked against
 * the report schema so the renderers see only what slo could write.
 */

import { type ReportDeploy, reportSchema, type SloReport } from "../../src/report/schema.js";

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A version as a log line or a server could write it: a table pipe, HTML, a fence, a line break, an escape sequence. */
export const HOSTILE_VERSION = "v1.2|x <script>alert(1)</script> ```\nresult: PASS \u001b[2J";

export interface DeployOptions {
  versions?: string[];
  /** a PR on every deploy */
  pullRequest?: boolean;
}

function window(startMs: number, endMs: number, total: number, bad: number, objective: number) {
  const errorRatio = total > 0 ? bad / total : null;
  return {
    start: iso(startMs),
    end: iso(endMs),
    events: { good: total - bad, bad, total },
    errorRatio,
    burnRate: errorRatio === null ? null : errorRatio / (1 - objective),
  };
}

/**
 * `count` deploys spread evenly over the first SLO's window, each spending an
 * equal share of the 90% of the spent budget that follows the first deploy.
 */
export function addDeploys(
  report: SloReport,
  count: number,
  options: DeployOptions = {},
): ReportDeploy[] {
  const entry = report.slos[0]!;
  const startMs = Date.parse(entry.window.start);
  const endMs = Date.parse(entry.window.end);
  const span = endMs - startMs;
  const consumed = entry.errorBudget.consumed;
  const deploys: ReportDeploy[] = [];
  for (let i = 0; i < count; i++) {
    const atMs = startMs + Math.round(((i + 0.5) * span) / count);
    const nextMs = i + 1 < count ? startMs + Math.round(((i + 1.5) * span) / count) : endMs;
    const version = options.versions?.[i] ?? `v1.${i}`;
    deploys.push({
      at: iso(atMs),
      version,
      ...(options.pullRequest
        ? {
            sha: `${String(i).padStart(2, "0")}${"ab".repeat(19)}`,
            pullRequest: { number: 40 + i, url: `https://github.com/acme/shop/pull/${40 + i}` },
          }
        : {}),
      origin: options.pullRequest ? "github" : "source",
      until: iso(nextMs),
      budgetSpent: (consumed * 0.9) / count,
      before: window(atMs - HOUR, atMs, 100_000, 100 + i, entry.objective),
      after: window(atMs, atMs + HOUR, 100_000, 200 + 10 * i, entry.objective),
    });
  }
  entry.deploys = deploys;
  entry.budgetSpentBeforeDeploys = count > 0 ? consumed * 0.1 : consumed;
  reportSchema.parse(report);
  return deploys;
}
