/**
 * Reports with deploys and verifications, made by hand on top of a real
 * report (real SLO file, real pipeline, made-up counts), and checked against
 * the report schema so the renderers see only what slo could write.
 */

import { DEFAULT_VERIFY } from "../../src/defaults.js";
import {
  type ReportComparison,
  type ReportDeploy,
  type ReportDeployRef,
  reportSchema,
  type SloReport,
} from "../../src/report/schema.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

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

export const DEPLOY_REF: ReportDeployRef = {
  at: "2026-11-24T11:00:00.000Z",
  version: "v2.0",
  sha: "0123456789abcdef0123456789abcdef01234567",
  pullRequest: { number: 42, url: "https://github.com/acme/shop/pull/42" },
  origin: "github",
};

const AFTER = { startMs: Date.parse(DEPLOY_REF.at), endMs: Date.parse(DEPLOY_REF.at) + HOUR };

export interface ComparisonSpec {
  baseline: "before" | "week";
  base: [total: number, bad: number];
  after: [total: number, bad: number];
  pValue: number | null;
  verdict: ReportComparison["verdict"];
  reason: string;
  eventsNeeded?: number | null;
}

export function comparison(spec: ComparisonSpec, objective = 0.999): ReportComparison {
  const shift = spec.baseline === "before" ? HOUR : 7 * 24 * HOUR;
  return {
    baseline: spec.baseline,
    baselineWindow: window(
      AFTER.startMs - shift,
      AFTER.endMs - shift,
      spec.base[0],
      spec.base[1],
      objective,
    ),
    afterWindow: window(AFTER.startMs, AFTER.endMs, spec.after[0], spec.after[1], objective),
    pValue: spec.pValue,
    verdict: spec.verdict,
    reason: spec.reason,
    eventsNeeded: spec.eventsNeeded ?? null,
  };
}

const WORSE = { pass: 0, inconclusive: 1, regressed: 2 } as const;

/**
 * A `slo verify` report of two services: shop (checkout, search) and ledger
 * (post), each SLO judged by the comparisons given for it.
 */
export async function verifyReport(
  baseline: "before" | "week" | "both",
  comparisons: Record<string, ComparisonSpec[]>,
): Promise<SloReport> {
  const shop = await reportOf("slos/shop.yaml", sloYaml("shop", ["checkout", "search"]), {
    checkout: 0.002,
  });
  const ledger = await reportOf("slos/ledger.yaml", sloYaml("ledger", ["post"]), {});
  const report: SloReport = { ...shop, slos: [...shop.slos, ...ledger.slos] };
  let result: ReportComparison["verdict"] = "pass";
  for (const entry of report.slos) {
    const specs = comparisons[entry.name];
    if (!specs) continue;
    const list = specs.map((s) => comparison(s, entry.objective));
    const verdict = list.reduce<ReportComparison["verdict"]>(
      (worst, c) => (WORSE[c.verdict] > WORSE[worst] ? c.verdict : worst),
      "pass",
    );
    if (WORSE[verdict] > WORSE[result]) result = verdict;
    entry.verification = {
      deploy: DEPLOY_REF,
      verdict,
      reason: list.find((c) => c.verdict === verdict)!.reason,
      comparisons: list,
    };
  }
  report.verification = {
    deploy: DEPLOY_REF,
    result,
    baseline,
    confidence: DEFAULT_VERIFY.confidence,
    minBurn: DEFAULT_VERIFY.minBurn,
    minIncrease: DEFAULT_VERIFY.minIncrease,
  };
  return reportSchema.parse(report);
}

/** The comparisons most tests use: checkout regressed, search passes, post lacks traffic. */
export const BEFORE_ONLY: Record<string, ComparisonSpec[]> = {
  checkout: [
    {
      baseline: "before",
      base: [12_000, 12],
      after: [11_500, 80],
      pValue: 0.000_001_2,
      verdict: "regressed",
      reason: "the error ratio rose 6.96× and burns the budget at 6.96×",
    },
  ],
  search: [
    {
      baseline: "before",
      base: [9_000, 5],
      after: [9_100, 6],
      pValue: 0.41,
      verdict: "pass",
      reason: "no significant rise",
    },
  ],
  post: [
    {
      baseline: "before",
      base: [40, 0],
      after: [12, 1],
      pValue: 0.23,
      verdict: "inconclusive",
      reason: "too few events after the deploy",
      eventsNeeded: 2_388,
    },
  ],
};
