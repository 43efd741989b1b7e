/**
 * Which deploy spent the budget: the facts each renderer shows for a deploy
 * (time, version and PR, budget spent until the next deploy, error ratio
 * before and after), as plain text. Versions come from logs and servers:
 * each renderer escapes them for its own format.
 */

import { MAX_REPORTED_VALUE_CHARS } from "../limits.js";
import { budgetPercent, percent } from "./format.js";
import type { ReportDeploy, ReportDeployRef, SloReportEntry } from "./schema.js";

/** "2026-11-24 11:00": the minute, UTC (the tables say UTC in their header). */
export function deployMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** A version cut to the report's value limit: a log line can hold megabytes in one field. */
export function versionText(version: string, max = MAX_REPORTED_VALUE_CHARS): string {
  return version.length <= max ? version : `${version.slice(0, max - 1)}…`;
}

/** "v1.2 (#42)", or the version alone when no PR is known. */
export function versionWithPr(deploy: ReportDeployRef): string {
  const version = versionText(deploy.version);
  return deploy.pullRequest ? `${version} (#${deploy.pullRequest.number})` : version;
}

/** The budget spent from a deploy to the next, as a share of the whole window's budget. */
export function budgetShare(fraction: number): string {
  return budgetPercent(fraction);
}

/** "0.1% → 0.2%": the error ratio in the window before the deploy, then after it. */
export function ratioChange(deploy: ReportDeploy): string {
  return `${percent(deploy.before.errorRatio)} → ${percent(deploy.after.errorRatio)}`;
}

/** The deploys to show: none unless the report lists at least one. */
export function deploysOf(entry: SloReportEntry): ReportDeploy[] {
  return entry.deploys ?? [];
}

/** "50% of the budget spent in the window: 5% before the first deploy, the rest by deploy below" */
export function deploysSummary(entry: SloReportEntry): string {
  const before =
    entry.budgetSpentBeforeDeploys === undefined
      ? ""
      : `: ${budgetShare(entry.budgetSpentBeforeDeploys)} before the first deploy, the rest from each deploy to the next`;
  return `${budgetShare(entry.errorBudget.consumed)} of the budget spent in the window${before}`;
}

/** "3 deploys" */
export function deployCount(n: number): string {
  return `${n} deploy${n === 1 ? "" : "s"}`;
}

/** Only a web address becomes a link: a PR URL is GitHub's, but a report file can say anything. */
export function webUrl(url: string): URL | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed : null;
  } catch {
    return null;
  }
}

/** Short commit: the first 7 hex digits, or null when the sha is not hex (never shown raw). */
export function shortSha(sha: string | undefined): string | null {
  return sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7).toLowerCase() : null;
}

export const ORIGIN_TEXT: Record<ReportDeployRef["origin"], string> = {
  source: "from the SLO file's deploys",
  github: "from GitHub",
  "command-line": "from --deploy",
};
