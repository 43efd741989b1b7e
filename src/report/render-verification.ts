/**
 * `slo verify`'s verdict as the renderers show it: the windows compared, the
 * rule a regression must meet, and per SLO one row per comparison (baseline
 * and after: events, bad, error ratio, burn rate; the p-value; the verdict
 * and why). Plain text: the SLO name and the reason come from files and
 * servers, and each renderer escapes them for its own format.
 */

import { burnRate, percent } from "./format.js";
import type { ReportComparison, ReportDeployRef, SloReport, SloReportEntry } from "./schema.js";

export type Verdict = ReportComparison["verdict"];
export type ReportVerifyRun = NonNullable<SloReport["verification"]>;

export const VERIFY_COLUMNS = [
  "SLO",
  "baseline",
  "events",
  "bad",
  "error ratio",
  "burn rate",
  "p-value",
  "verdict",
  "why",
] as const;

/** Columns of numbers: right-aligned where the renderer aligns. */
export const VERIFY_NUMERIC = new Set([2, 3, 4, 5, 6]);

export interface VerifyRow {
  /** raw: escape it */
  slo: string;
  baseline: string;
  events: string;
  bad: string;
  errorRatio: string;
  burnRate: string;
  pValue: string;
  /** null: the SLO was not judged (its source failed, or it had no verification) */
  verdict: Verdict | null;
  /** raw: the verifier's reason, with numbers and names in it; escape it */
  why: string;
  /** slo's own words after it, nothing to escape: "not verified: no events" */
  whyMore: string;
}

/** One row per comparison; an SLO that was not judged still gets a row that says so. */
export function verifyRows(entry: SloReportEntry): VerifyRow[] {
  const comparisons = entry.verification?.comparisons ?? [];
  if (comparisons.length === 0) return [notVerifiedRow(entry)];
  return comparisons.map((c) => ({
    slo: entry.gated ? entry.name : `${entry.name} (not gated)`,
    baseline: c.baseline,
    events: `${count(c.baselineWindow.events.total)} → ${count(c.afterWindow.events.total)}`,
    bad: `${count(c.baselineWindow.events.bad)} → ${count(c.afterWindow.events.bad)}`,
    errorRatio: `${percent(c.baselineWindow.errorRatio)} → ${percent(c.afterWindow.errorRatio)}`,
    burnRate: `${burnRate(c.baselineWindow.burnRate)} → ${burnRate(c.afterWindow.burnRate)}`,
    pValue: pValueText(c.pValue),
    verdict: c.verdict,
    // the engine's reason already says how many more events an inconclusive window needs
    why: c.reason,
    whyMore: "",
  }));
}

function notVerifiedRow(entry: SloReportEntry): VerifyRow {
  const whyMore = entry.error
    ? "not verified: its source failed (below)"
    : entry.status === "no-data"
      ? "not verified: no events"
      : "not verified: no deploy of this service was given or found (deploys:, --deploy, --environment)";
  return {
    slo: entry.name,
    baseline: "–",
    events: "–",
    bad: "–",
    errorRatio: "–",
    burnRate: "–",
    pValue: "–",
    verdict: null,
    why: "",
    whyMore,
  };
}

/** Two digits that matter: 0.41, 0.023, 1.2e-6 (a tiny p-value is the point, not a zero). */
export function pValueText(p: number | null): string {
  if (p === null) return "–";
  if (p >= 0.001) return String(Number(p.toPrecision(2)));
  return p.toExponential(1);
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}

/** The SLOs judged on the run's deploy (each service may have its own newest deploy). */
export function judgedOn(
  entries: readonly SloReportEntry[],
  deploy: ReportDeployRef,
): SloReportEntry[] {
  return entries.filter((e) => e.verification && sameDeploy(e.verification.deploy, deploy));
}

function sameDeploy(a: ReportDeployRef, b: ReportDeployRef): boolean {
  return a.at === b.at && a.version === b.version;
}

/** A service judged on another deploy than the run's: that deploy and its windows, for a line of its own. */
export function ownDeployOf(
  entries: readonly SloReportEntry[],
  run: ReportVerifyRun,
): { deploy: ReportDeployRef; windows: string | null } | null {
  const judged = entries.find((e) => e.verification)?.verification;
  if (!judged || sameDeploy(judged.deploy, run.deploy)) return null;
  return { deploy: judged.deploy, windows: verifyWindowsText(judgedOn(entries, judged.deploy)) };
}

/** "after the deploy 2026-11-24 11:00 → 12:00 UTC against before: 10:00 → 11:00 UTC" */
export function verifyWindowsText(entries: readonly SloReportEntry[]): string | null {
  const comparisons = entries.flatMap((e) => e.verification?.comparisons ?? []);
  const first = comparisons[0];
  if (!first) return null;
  const day = first.afterWindow.start.slice(0, 10);
  const baselines = (["before", "week"] as const)
    .map((b) => comparisons.find((c) => c.baseline === b))
    .filter((c): c is ReportComparison => c !== undefined)
    .map((c) => `${c.baseline}: ${spanText(c.baselineWindow, day)}`);
  return `after the deploy ${spanText(first.afterWindow, "")} against ${baselines.join(" and ")}`;
}

/** "10:00 → 11:00 UTC" on `day`, with the date where it is another day. */
function spanText(w: { start: string; end: string }, day: string): string {
  const startDay = w.start.slice(0, 10);
  const start = startDay === day ? w.start.slice(11, 16) : minute(w.start);
  const end = w.end.slice(0, 10) === startDay ? w.end.slice(11, 16) : minute(w.end);
  return `${start} → ${end} UTC`;
}

function minute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** The rule a regression must meet, in words, with the run's thresholds. */
export function verifyCriteriaText(run: ReportVerifyRun): string {
  const both = run.baseline === "both" ? " (the worse of the two verdicts counts)" : "";
  return `regressed when the rise is significant at ${percent(run.confidence)} confidence, the after window burns at least ${burnRate(run.minBurn)} and its error ratio is at least ${burnRate(run.minIncrease)} the baseline's${both}`;
}
