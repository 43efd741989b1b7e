/** Reports for the GitHub tests: real SLO files through the real pipeline, with counts made up. */

import { loadText } from "../../src/definition/load.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import { type ReportDeployRef, reportSchema, type SloReport } from "../../src/report/schema.js";
import type { CountResult, Source } from "../../src/sources/types.js";

export const AT = Date.parse("2026-11-24T12:00:00Z");
const HOUR = 3_600_000;

/**
 * A source where each SLO sees `perHour` events an hour, a fixed share of them
 * bad (by SLO name), spread evenly: every window burns at the same rate.
 */
export function fixedSource(badShare: Record<string, number>, perHour = 100_000): Source {
  return {
    name: "fixed",
    type: "logs",
    async count(requests) {
      return requests.map((r): CountResult => {
        const share = badShare[r.slo.name] ?? 0;
        const counts = (ms: number) => {
          const total = Math.round((perHour * ms) / HOUR);
          const bad = Math.round(total * share);
          return { good: total - bad, total };
        };
        const longest = Math.max(...r.windows.map((w) => w.endMs - w.startMs));
        const badInWindow = counts(longest).total - counts(longest).good;
        return {
          windows: Object.fromEntries(r.windows.map((w) => [w.key, counts(w.endMs - w.startMs)])),
          series: Object.fromEntries(
            r.series.map((s) => [s.key, Array.from({ length: s.count }, () => counts(s.stepMs))]),
          ),
          breakdown:
            badInWindow > 0
              ? [
                  { value: "upstream-timeout", count: Math.ceil(badInWindow * 0.75) },
                  { value: "db-error", count: Math.floor(badInWindow * 0.25) },
                ]
              : [],
          diagnostics: { lines: counts(longest).total },
        };
      });
    },
  };
}

/** SLO file text with one ratio SLO per name (objective 99.9%, 30d), optional extra YAML at the end. */
export function sloYaml(service: string, names: string[], extra = ""): string {
  const slos = names
    .map(
      (n) => `  - name: ${n}
    objective: 99.9%
    window: 30d
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }`,
    )
    .join("\n");
  return `service: ${JSON.stringify(service)}
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
${slos}
${extra}`;
}

/** Evaluate SLO file text at AT with the fixed source. */
export async function reportOf(
  file: string,
  text: string,
  badShare: Record<string, number>,
): Promise<SloReport> {
  const { services, errors } = loadText(file, text, {});
  if (errors.length > 0) throw new Error(errors.map((e) => e.format()).join("\n"));
  return evaluateSet(
    { files: [file], services },
    { atMs: AT, sourceFactory: () => fixedSource(badShare) },
  );
}

export type Verdict = NonNullable<SloReport["verification"]>["result"];

/**
 * A report as slo verify makes it, by hand: the run's verdict on `deploy`
 * and each SLO's (the `regressed` ones regressed, the others the run's
 * verdict or pass). Checked against the report schema.
 */
export function verifiedReportOf(
  report: SloReport,
  deploy: ReportDeployRef,
  verdict: Verdict,
  regressed: string[] = [],
): SloReport {
  return reportSchema.parse({
    ...report,
    verification: {
      deploy,
      result: verdict,
      baseline: "before",
      confidence: 0.99,
      minBurn: 2,
      minIncrease: 1.5,
    },
    slos: report.slos.map((s) => {
      const own: Verdict = regressed.includes(s.name)
        ? "regressed"
        : verdict === "inconclusive"
          ? "inconclusive"
          : "pass";
      return {
        ...s,
        verification: { deploy, verdict: own, reason: `${own} for test`, comparisons: [] },
      };
    }),
  });
}
