/** The terminal table: one per service, colour only when asked (a TTY without NO_COLOR). */

import { excludedTotal } from "./corrections.js";
import { episodesSummary, episodesToShow, episodeText, moreEpisodesText } from "./episodes.js";
import { escapeTerminal } from "./escape.js";
import {
  type BreakdownRow,
  BUCKET_LABEL,
  budgetPercent,
  burnRate,
  fastestBurn,
  objectivePercent,
  overcountBound,
  percent,
  STATUS_SYMBOL,
} from "./format.js";
import {
  budgetShare,
  deployCount,
  deployMinute,
  deploysOf,
  ORIGIN_TEXT,
  ratioChange,
  shortSha,
  versionText,
} from "./render-deploys.js";
import {
  judgedOn,
  ownDeployOf,
  type ReportVerifyRun,
  VERIFY_COLUMNS,
  VERIFY_NUMERIC,
  type Verdict,
  verifyCriteriaText,
  verifyRows,
  verifyWindowsText,
} from "./render-verification.js";
import type { SloReport, SloReportEntry } from "./schema.js";
import { shortTime, trendOf, trendText } from "./trend.js";

export interface TextOptions {
  color: boolean;
}

/** Colour on a terminal, unless NO_COLOR; FORCE_COLOR asks for it anywhere (a runner's log). */
export function colorWanted(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return isTTY;
}

/**
 * A value in quotes, a bucket in words: "(none)" the value never reads as
 * field missing. A cut value ends outside its quotes: "abc"… goes on.
 */
function breakdownName(b: BreakdownRow): string {
  if ("bucket" in b) return BUCKET_LABEL[b.bucket];
  return b.truncated
    ? `"${escapeTerminal(b.value.slice(0, -1))}"…`
    : `"${escapeTerminal(b.value)}"`;
}

function textCount(b: BreakdownRow): string {
  const bound = overcountBound(b);
  return bound ? `${b.count.toLocaleString("en-US")}, ${bound}` : b.count.toLocaleString("en-US");
}

const ANSI = { red: 31, yellow: 33, green: 32, gray: 90, bold: 1 } as const;

type Paint = (text: string, style: keyof typeof ANSI) => string;

export function renderText(report: SloReport, options: TextOptions): string {
  const paint: Paint = (text, style) =>
    options.color ? `\u001b[${ANSI[style]}m${text}\u001b[0m` : text;
  const lines: string[] = [];
  const verification = report.verification;
  if (verification) lines.push(...verifyLead(report, verification, paint), "");
  for (const [service, entries] of groupByService(report.slos)) {
    lines.push(paint(escapeTerminal(service), "bold"));
    // slo verify: the verdicts lead; the budgets follow, without the deploy lists.
    if (verification) {
      const own = ownDeployOf(entries, verification);
      if (own)
        lines.push(
          `  judged on its own newest deploy, ${escapeTerminal(versionText(own.deploy.version))} at ${shortTime(own.deploy.at)}${own.windows ? `: ${own.windows}` : ""}`,
        );
      lines.push(...verifyTable(entries, paint), "");
    }
    lines.push(...serviceTable(entries, paint));
    for (const e of entries) {
      lines.push(...entryDetails(e, paint));
      if (!verification) lines.push(...deployLines(e, paint));
    }
    lines.push("");
  }
  for (const h of report.health ?? []) lines.push(healthLine(h, paint));
  if (report.slos.length > 0 && report.slos.every((e) => e.status === "no-data")) {
    // Events the corrections left out were there: another --at would not help.
    const corrected = report.slos.every((e) => (e.correctionsExcluded?.total ?? 0) > 0);
    lines.push(
      paint(
        corrected
          ? `no events in any SLO's window up to ${report.evaluatedAt} outside its corrections: they left out every event there was`
          : `no events in any SLO's window up to ${report.evaluatedAt}: for logs recorded earlier, evaluate at a time they cover with --at`,
        "yellow",
      ),
    );
  }
  // slo verify exits on the deploy's verdict, not on the budgets: the last line says which.
  lines.push(
    verification
      ? `verdict: ${paint(verification.result.toUpperCase(), VERDICT_COLOR[verification.result])} at ${report.evaluatedAt}`
      : `result: ${paint(report.result.toUpperCase(), resultColor(report.result))} at ${report.evaluatedAt}`,
  );
  return `${lines.join("\n")}\n`;
}

const HEADER = ["SLO", "objective", "SLI", "budget left", "fastest burn", "status"];

/** The header and a row per SLO, names left-aligned, numbers right-aligned. */
function serviceTable(entries: readonly SloReportEntry[], paint: Paint): string[] {
  const rows = entries.map(rowOf);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ")}`.trimEnd();
  return [
    paint(format(HEADER), "gray"),
    ...rows.map((row, i) => {
      const status = entries[i]!.status;
      return status === "ok" ? format(row) : paint(format(row), colorOf(status));
    }),
  ];
}

function rowOf(e: SloReportEntry): string[] {
  const fastest = fastestBurn(e);
  return [
    escapeTerminal(e.name) + (e.gated ? "" : " (not gated)"),
    objectivePercent(e.objective),
    percent(e.sli),
    e.status === "no-data" || e.status === "error" ? "–" : budgetPercent(e.errorBudget.remaining),
    // "0×": nothing burns in any window, so no window to name.
    fastest ? (fastest.rate === 0 ? "0×" : `${burnRate(fastest.rate)} ${fastest.window}`) : "–",
    STATUS_SYMBOL[e.status],
  ];
}

/** Under the table: the alerts that fire, what spent the budget, a source's error, the notes. */
function entryDetails(e: SloReportEntry, paint: Paint): string[] {
  const lines: string[] = [];
  const name = escapeTerminal(e.name);
  for (const a of e.alerts.filter((x) => x.firing || x.pending)) {
    const burning = `burning ${burnRate(a.burnRateLong)} over ${a.long} and ${burnRate(a.burnRateShort)} over ${a.short} (threshold ${burnRate(a.factor)})`;
    const severity = a.severity === "page" ? "PAGE" : "TICKET";
    // pending: the condition holds, but not yet for the rule's alertAfter
    lines.push(
      a.firing
        ? paint(`  ${severity} ${name}: ${burning}`, a.severity === "page" ? "red" : "yellow")
        : `  ${severity} pending ${name}: ${burning}; it fires once that has held for its alertAfter`,
    );
  }
  const trend = trendOf(e);
  // Only a trend that moved, over a previous window the data covers: `slo check` stays short.
  if (trend && trend.direction !== "same") {
    lines.push(paint(`  ${name}: ${trendText(e)}`, trend.direction === "better" ? "green" : "red"));
  }
  lines.push(...episodeLines(e));
  lines.push(...correctionLines(e));
  if ((e.status === "warning" || e.status === "breaching") && e.breakdown.length > 0) {
    const top = e.breakdown.slice(0, 3).map((b) => `${breakdownName(b)} (${textCount(b)})`);
    lines.push(`  ${name}: budget spent by ${top.join(", ")}`);
  }
  if (e.error) {
    const { source, message } = e.error;
    lines.push(
      paint(`  ${name}: source ${escapeTerminal(source)}: ${escapeTerminal(message)}`, "red"),
    );
  }
  for (const note of e.diagnostics.notes)
    lines.push(paint(`  ${name}: ${escapeTerminal(note)}`, "gray"));
  // Where someone has to act, the page that says how.
  if (e.runbook && e.status !== "ok") lines.push(`  ${name}: runbook ${escapeTerminal(e.runbook)}`);
  return lines;
}

/** slo report: the alerts that fired, a line each, newest first, capped, then a count of the rest. */
function episodeLines(e: SloReportEntry): string[] {
  const history = e.alertHistory;
  if (!history) return [];
  const head = `  ${escapeTerminal(e.name)}: alerts that fired: ${episodesSummary(history)} (${escapeTerminal(history.step)} resolution)`;
  if (history.episodes.length === 0) return [head];
  const { shown, more } = episodesToShow(history);
  const rest = moreEpisodesText(more);
  return [
    `${head}:`,
    // Window labels are validated durations; escaped all the same, like every text that reaches the terminal.
    ...shown.map((ep) => `    ${escapeTerminal(episodeText(ep, history.since))}`),
    ...(rest ? [`    ${rest} (all in the JSON report)`] : []),
  ];
}

/** The corrections that touched the window: a line each, what it is, its latest period, what it left out. */
function correctionLines(e: SloReportEntry): string[] {
  const corrections = e.corrections ?? [];
  if (corrections.length === 0) return [];
  const all = excludedTotal(e);
  return [
    `  ${escapeTerminal(e.name)}: corrections left ${eventsText(all)} out of the window:`,
    ...corrections.map((c) => {
      const what = [
        c.category,
        ...(c.reason !== undefined ? [` "${escapeTerminal(c.reason)}"`] : []),
        ...(c.rrule !== undefined
          ? [`, ${escapeTerminal(c.rrule)} in ${escapeTerminal(c.timeZone)}`]
          : []),
      ].join("");
      const latest = c.occurrences.at(-1);
      const periods = c.occurrences.length + (c.occurrencesLeftOut ?? 0);
      const when = latest
        ? `, the latest ${shortTime(latest.start)} to ${shortTime(latest.end)}`
        : "";
      return `    ${what}: ${periods} period(s)${when}: ${eventsText(c.excluded)}`;
    }),
  ];
}

/** 1,234 event(s) (34 bad); counters' extrapolated counts are rounded. */
function eventsText(events: { total: number; bad: number }): string {
  const count = (n: number) => Math.round(n).toLocaleString("en-US");
  const bad = Math.round(events.bad) > 0 ? ` (${count(events.bad)} bad)` : "";
  return `${count(events.total)} event(s)${bad}`;
}

/**
 * Columns padded to their widest cell, numbers right-aligned; the last
 * column is not padded, so no line ends in spaces.
 */
function alignedTable(
  indent: string,
  header: readonly string[],
  rows: readonly string[][],
  numeric: ReadonlySet<number>,
): { header: string; rows: string[]; widths: number[] } {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (cells: readonly string[]) =>
    `${indent}${cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join("  ")}`.trimEnd();
  return { header: format(header), rows: rows.map(format), widths };
}

const DEPLOY_HEADER = ["deployed (UTC)", "version", "budget spent", "error ratio before → after"];

/** Which deploy spent the budget: one line per deploy, after what was spent before the first. */
function deployLines(e: SloReportEntry, paint: Paint): string[] {
  const deploys = deploysOf(e);
  if (deploys.length === 0) return [];
  const rows = deploys.map((d) => [
    deployMinute(d.at),
    escapeTerminal(versionText(d.version)) + (d.pullRequest ? ` #${d.pullRequest.number}` : ""),
    budgetShare(d.budgetSpent),
    ratioChange(d),
  ]);
  const table = alignedTable("    ", DEPLOY_HEADER, rows, new Set([2]));
  const lines = [
    `  ${escapeTerminal(e.name)}: ${deployCount(deploys.length)} in the window, ${budgetShare(e.errorBudget.consumed)} of the budget spent in all`,
    paint(table.header, "gray"),
  ];
  if (e.budgetSpentBeforeDeploys !== undefined) {
    // One cell across the time and version columns, its share under the others.
    const [time, version, share] = table.widths;
    lines.push(
      `    ${BEFORE_FIRST_DEPLOY.padEnd(time! + 2 + version!)}  ${budgetShare(e.budgetSpentBeforeDeploys).padStart(share!)}`,
    );
  }
  lines.push(...table.rows);
  return lines;
}

const BEFORE_FIRST_DEPLOY = "before the first deploy";

/** The deploy judged and the run's verdict, the windows compared, the rule applied. */
function verifyLead(report: SloReport, run: ReportVerifyRun, paint: Paint): string[] {
  const d = run.deploy;
  const pr = d.pullRequest ? ` #${d.pullRequest.number}` : "";
  const sha = shortSha(d.sha);
  const where = [sha ? `commit ${sha}` : null, ORIGIN_TEXT[d.origin]].filter(Boolean).join(", ");
  const windows = verifyWindowsText(judgedOn(report.slos, d));
  return [
    `deploy ${escapeTerminal(versionText(d.version))}${pr} (${where}) at ${shortTime(d.at)}: ${paint(run.result.toUpperCase(), VERDICT_COLOR[run.result])}`,
    ...(windows ? [`  ${windows}`] : []),
    paint(`  ${verifyCriteriaText(run)}`, "gray"),
  ];
}

/** A row per SLO and comparison, coloured by its verdict. */
function verifyTable(entries: readonly SloReportEntry[], paint: Paint): string[] {
  const rows = entries.flatMap(verifyRows);
  const table = alignedTable(
    "  ",
    VERIFY_COLUMNS,
    rows.map((r) => [
      escapeTerminal(r.slo),
      r.baseline,
      r.events,
      r.bad,
      r.errorRatio,
      r.burnRate,
      r.pValue,
      r.verdict ?? "–",
      escapeTerminal(r.why) + r.whyMore,
    ]),
    VERIFY_NUMERIC,
  );
  return [
    paint(table.header, "gray"),
    ...table.rows.map((line, i) => {
      const verdict = rows[i]!.verdict;
      return paint(line, verdict ? VERDICT_COLOR[verdict] : "gray");
    }),
  ];
}

const VERDICT_COLOR: Record<Verdict, keyof typeof ANSI> = {
  pass: "green",
  regressed: "red",
  inconclusive: "yellow",
};

function healthLine(h: NonNullable<SloReport["health"]>[number], paint: Paint): string {
  const bad = h.dependencies.filter((d) => d.status.toUpperCase() !== "OK");
  const what = `health ${escapeTerminal(h.service)}/${escapeTerminal(h.name)}`;
  const text = h.ok
    ? `${what}: all ${h.dependencies.length} dependencies OK`
    : `${what}: ${escapeTerminal(h.error ?? bad.map((d) => `${d.name} ${d.status}`).join(", "))}`;
  return h.ok ? text : paint(text, h.onFailure === "fail" ? "red" : "yellow");
}

function groupByService(entries: readonly SloReportEntry[]): Map<string, SloReportEntry[]> {
  const map = new Map<string, SloReportEntry[]>();
  for (const e of entries) {
    const list = map.get(e.service) ?? [];
    list.push(e);
    map.set(e.service, list);
  }
  return map;
}

function colorOf(status: SloReportEntry["status"]): keyof typeof ANSI {
  return status === "breaching" || status === "error"
    ? "red"
    : status === "warning"
      ? "yellow"
      : "gray";
}

function resultColor(result: SloReport["result"]): keyof typeof ANSI {
  return result === "pass"
    ? "green"
    : result === "warn"
      ? "yellow"
      : result === "fail"
        ? "red"
        : "gray";
}
