/**
 * The Markdown report for PR comments, check runs, job summaries and scheduled
 * reports: a table of every SLO that is not ok, a table per service, then per
 * SLO (not-ok first) what spent the budget and a burn-down chart; fitted to a
 * size limit by markdown-fit.ts. Every string from SLO files or logs is escaped.
 */

import {
  correctionsSummary,
  correctionWhen,
  excludedText,
  reportCorrectionsSummary,
} from "./corrections.js";
import { episodeCells, episodesSummary, episodesToShow, moreEpisodesText } from "./episodes.js";
import { escapeMarkdown, markdownUrl } from "./escape.js";
import {
  type BreakdownRow,
  BUCKET_LABEL,
  breakdownCount,
  budgetPercent,
  burnRate,
  objectivePercent,
  percent,
  windowLabel,
} from "./format.js";
import { type Fit, fitMarkdown, type ReportParts, type ServiceBlock } from "./markdown-fit.js";
import { burnDownChart } from "./mermaid.js";
import {
  budgetShare,
  deployMinute,
  deploysOf,
  deploysSummary,
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
import type {
  HealthReport,
  ReportAlert,
  ReportDeployRef,
  SloReport,
  SloReportEntry,
} from "./schema.js";
import { TREND_EMOJI, trendOf, trendText } from "./trend.js";

export interface MarkdownOptions {
  /** the heading's text before the result (default "SLO gate") */
  title?: string;
  /** a failing gate let through by a PR label: the error budget policy's exception */
  override?: { label: string; by?: string | null | undefined } | undefined;
  /** the verdict the exit code carries, when it differs from the result (`--fail-on`) */
  gate?: "passes" | "fails" | undefined;
  /** a link to where the report was made (the workflow run) */
  runUrl?: string | null | undefined;
  /** burn-down charts (default true) */
  charts?: boolean;
  /** Markdown after the report, before the footer, always kept (the review of SLO changes) */
  appendix?: string | undefined;
  /** the commit the run reports on (the footer shows 7 characters) */
  commit?: string | null | undefined;
  /** when the run happened (ISO), as the footer says beside the evaluation time */
  ranAt?: string | null | undefined;
  /** fit under a size limit by leaving parts out, never what is not ok (default: the whole report) */
  fit?: Fit | undefined;
}

const RESULT_ICON: Record<SloReport["result"], string> = {
  pass: "✅",
  warn: "⚠️",
  fail: "❌",
  unknown: "❔",
};

const STATUS_CELL: Record<SloReportEntry["status"], string> = {
  ok: "✅ ok",
  warning: "⚠️ warning",
  breaching: "❌ breaching",
  "no-data": "⚪ no data",
  error: "❗ error",
};

export function renderMarkdown(report: SloReport, options: MarkdownOptions = {}): string {
  return markdownRenderer(report, options)(options.fit);
}

/**
 * The report rendered once, then fitted to each place's limit: the comment,
 * the check run and the job summary each fit the same parts.
 */
export function markdownRenderer(
  report: SloReport,
  options: Omit<MarkdownOptions, "fit"> = {},
): (fit?: Fit, changes?: string) => string {
  const parts = partsOf(report, options);
  // What changed since the comment this one replaces: under the overview.
  return (fit, changes) =>
    fitMarkdown(changes ? { ...parts, head: [...parts.head, changes] } : parts, fit);
}

/** Not ok first (breaching, warning, error, no data), then ok; the report's order within each. */
const STATUS_RANK: Record<SloReportEntry["status"], number> = {
  breaching: 0,
  warning: 1,
  error: 2,
  "no-data": 3,
  ok: 4,
};

function worstFirst(entries: readonly SloReportEntry[]): SloReportEntry[] {
  return [...entries].sort((a, b) => STATUS_RANK[a.status] - STATUS_RANK[b.status]);
}

function partsOf(report: SloReport, options: MarkdownOptions): ReportParts {
  const verification = report.verification;
  const head: string[] = verification
    ? [verifyHeading(verification, options), verifyLead(report, verification)]
    : [heading(report, options), overview(report)];
  if (options.override) head.push(overrideNote(options.override));
  const notOk = worstFirst(report.slos.filter((e) => e.status !== "ok"));
  const services = [...groupByService(report.slos)].map(([service, entries]) =>
    serviceBlock(service, entries, verification),
  );
  const charts = options.charts ?? true;
  return {
    head,
    // slo verify's verdicts lead its report; the gate's lead is what is not ok.
    notOk: verification || notOk.length === 0 ? null : notOkTable(notOk),
    services,
    details: worstFirst(report.slos).map((e) => ({
      ok: e.status === "ok",
      full: details(e, charts),
      withoutChart: charts && burnDownChart(e) ? details(e, false) : null,
    })),
    tail: [
      ...(report.health && report.health.length > 0 ? [healthSection(report.health)] : []),
      ...(options.appendix ? [options.appendix] : []),
    ],
    footer: footer(report, options),
    notOkCount: notOk.length,
    breaching: notOk.filter((e) => e.status === "breaching").length,
    compact: (rows, named) => compactNotOk(notOk, rows, named),
  };
}

function serviceBlock(
  service: string,
  entries: SloReportEntry[],
  verification: ReportVerifyRun | undefined,
): ServiceBlock {
  const lead = [`### ${escapeMarkdown(service)}`];
  // slo verify: the verdicts lead, the budgets follow.
  if (verification) {
    const own = ownDeployOf(entries, verification);
    if (own)
      lead.push(
        `Judged on this service's own newest deploy, ${versionLink(own.deploy)} at ${shortTime(own.deploy.at)}${own.windows ? `: ${own.windows}` : ""}.`,
      );
    lead.push(verifyTable(entries));
  }
  return { lead, header: SERVICE_HEADER, rows: serviceRows(entries) };
}

type Row = ServiceBlock["rows"][number];

/**
 * One row per SLO; a grouped SLO's groups under a row of their definition
 * (the whole's, with `gate.per: whole`), in the report's order: worst first.
 */
function serviceRows(entries: readonly SloReportEntry[]): Row[] {
  const rows: Row[] = [];
  const done = new Set<string>();
  for (const e of entries) {
    if (!e.group) {
      rows.push(rowOf(e, escapeMarkdown(e.name)));
      continue;
    }
    const definition = e.group.definition;
    if (done.has(definition)) continue;
    done.add(definition);
    rows.push(...groupedRows(entries.filter((g) => g.group?.definition === definition)));
  }
  return rows;
}

function groupedRows(entries: readonly SloReportEntry[]): Row[] {
  const whole = entries.find((e) => e.group!.kind === "whole");
  const groups = entries.filter((e) => e !== whole);
  const { definition, by } = entries[0]!.group!;
  const notOk = groups.filter((g) => g.status !== "ok").length;
  const title = `${escapeMarkdown(definition)} · by ${by.map(escapeMarkdown).join(", ")}: ${count(groups.length, "group")}${notOk > 0 ? `, ${notOk} not ok` : ""}`;
  const head: Row = whole
    ? rowOf(whole, title)
    : { ok: notOk === 0, text: `| | ${title} | | | | |` };
  return [
    head,
    ...groups.map((g) => rowOf(g, `↳ ${escapeMarkdown(g.name.slice(definition.length))}`)),
  ];
}

function rowOf(e: SloReportEntry, name: string): Row {
  const [status, , ...rest] = serviceRow(e);
  return { ok: e.status === "ok", text: `| ${[status, name, ...rest].join(" | ")} |` };
}

function heading(report: SloReport, options: MarkdownOptions): string {
  const title = escapeMarkdown(options.title ?? "SLO gate");
  const icon = options.override ? "🟡" : RESULT_ICON[report.result];
  const verdict = options.override ? `${report.result}, overridden` : report.result;
  return `## ${icon} ${title}: ${verdict}`;
}

function overview(report: SloReport): string {
  const services = new Set(report.slos.map((s) => s.service)).size;
  const counts = new Map<string, number>();
  for (const s of report.slos) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const order: SloReportEntry["status"][] = ["breaching", "error", "warning", "no-data", "ok"];
  const parts = order
    .filter((s) => counts.has(s))
    .map((s) => `${counts.get(s)} ${s === "no-data" ? "without data" : s}`);
  const slos = `${report.slos.length} SLO${report.slos.length === 1 ? "" : "s"}`;
  const corrections = reportCorrectionsSummary(report.slos);
  return `${slos} in ${services} service${services === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""}.${corrections ? ` ${corrections}.` : ""}`;
}

function overrideNote(override: NonNullable<MarkdownOptions["override"]>): string {
  const by = override.by ? ` (label added by ${escapeMarkdown(override.by)})` : "";
  return [
    "> [!WARNING]",
    `> **Error budget policy exception:** the label ${escapeMarkdown(override.label)}${by} lets this change ship although the gate fails. The check is neutral.`,
  ].join("\n");
}

const SERVICE_HEADER = [
  "| status | SLO | SLI / objective | budget remaining | burn rate | firing alerts |",
  "|:--|:--|--:|:--|:--|:--|",
].join("\n");

function serviceRow(e: SloReportEntry): string[] {
  return [
    STATUS_CELL[e.status] + (e.gated ? "" : " (not gated)"),
    escapeMarkdown(e.name),
    `${percent(e.sli)} / ${objectivePercent(e.objective)}`,
    budgetCell(e),
    burnRatesCell(e),
    firingCell(e.alerts),
  ];
}

/** Every SLO that is not ok, with its service and runbook: what a reviewer must see first. */
function notOkTable(entries: SloReportEntry[]): string {
  return ["### Not ok", "", notOkRows(entries)].join("\n");
}

function notOkRows(entries: SloReportEntry[]): string {
  const rows = entries.map((e) => {
    const [status, name, ...rest] = serviceRow(e);
    const runbook = e.runbook && markdownUrl(e.runbook);
    const slo = runbook ? `${name} · [runbook](${runbook})` : name;
    return `| ${[status, escapeMarkdown(e.service), slo, ...rest].join(" | ")} |`;
  });
  return [
    "| status | service | SLO | SLI / objective | budget remaining | burn rate | firing alerts |",
    "|:--|:--|:--|--:|:--|:--|:--|",
    ...rows,
  ].join("\n");
}

/**
 * What is not ok when its whole table is too big: the table's first `rows`
 * (the worst), then every breaching SLO left, named by service (the first
 * `named`, the rest counted), then the others counted.
 */
function compactNotOk(entries: SloReportEntry[], rows: number, named: number): string {
  const blocks = ["### Not ok"];
  if (rows > 0) blocks.push(notOkRows(entries.slice(0, rows)));
  const rest = entries.slice(rows);
  const breaching = rest.filter((e) => e.status === "breaching");
  if (breaching.length > 0) blocks.push(breachingNames(breaching, named, rows > 0));
  const others = (["warning", "error", "no-data"] as const)
    .map((status) => [status, rest.filter((e) => e.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n.toLocaleString("en-US")} ${STATUS_WORD[status]}`);
  if (others.length > 0) {
    const also = rows > 0 || breaching.length > 0 ? "Also not ok" : "Not ok";
    blocks.push(`${also}: ${others.join(", ")}.`);
  }
  return blocks.join("\n\n");
}

function breachingNames(breaching: SloReportEntry[], named: number, also: boolean): string {
  const lines = [
    `❌ **${also ? "Also breaching" : "Breaching"}: ${count(breaching.length, "SLO")}**`,
    "",
  ];
  for (const [service, group] of groupByService(breaching.slice(0, named))) {
    lines.push(
      `- **${escapeMarkdown(service)}**: ${group.map((e) => compactName(e.name)).join(", ")}`,
    );
  }
  if (named < breaching.length) lines.push(`- and ${count(breaching.length - named, "more")}`);
  return lines.join("\n");
}

const STATUS_WORD = { warning: "warning", error: "unreadable", "no-data": "without data" } as const;

/**
 * A name escaped as escapeMarkdown does, but for `-` and `.`, which mean
 * nothing inside a line: names are mostly those, and five characters each
 * would cost the list its room.
 */
function compactName(name: string): string {
  return escapeMarkdown(name).replace(/&#(45|46);/g, (_, c: string) =>
    String.fromCharCode(Number(c)),
  );
}

function count(n: number, what: string): string {
  return `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;
}

/** Ten cells of bar and the number; an overspent budget shows an empty bar and a negative number. */
export function budgetBar(remaining: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, remaining)) * 10);
  return `${"█".repeat(filled)}${"░".repeat(10 - filled)} ${budgetPercent(remaining)}`;
}

function budgetCell(e: SloReportEntry): string {
  if (e.status === "no-data" || e.status === "error") return "–";
  return budgetBar(e.errorBudget.remaining);
}

/**
 * The burn rates that matter: the long window of each alert, bold where it is
 * over the alert's factor, then the whole window. Short windows show in the
 * firing alerts.
 */
function burnRatesCell(e: SloReportEntry): string {
  const cells: string[] = [];
  const seen = new Set<string>();
  for (const a of e.alerts) {
    if (seen.has(a.long)) continue;
    seen.add(a.long);
    const text = `${a.long} ${burnRate(a.burnRateLong)}`;
    cells.push(a.burnRateLong !== null && a.burnRateLong > a.factor ? `**${text}**` : text);
  }
  const whole = windowLabel(e);
  if (!seen.has(whole) && e.burnRates[whole] !== undefined) {
    cells.push(`${whole} ${burnRate(e.burnRates[whole])}`);
  }
  return cells.length > 0 ? cells.join(" · ") : "–";
}

/** Firing alerts, then pending ones (the condition holds, not yet for the rule's alertAfter). */
function firingCell(alerts: ReportAlert[]): string {
  const shown = [...alerts.filter((a) => a.firing), ...alerts.filter((a) => a.pending)];
  if (shown.length === 0) return "–";
  return shown
    .map((a) => {
      const what = `${a.long}/${a.short} ${burnRate(a.burnRateLong)} > ${burnRate(a.factor)}`;
      if (!a.firing) return `⏳ ${a.severity} pending ${what}`;
      return `${a.severity === "page" ? "🔴 page" : "🟠 ticket"} ${what}`;
    })
    .join("<br>");
}

function details(e: SloReportEntry, charts: boolean): string {
  const lines: string[] = [];
  if (e.description) lines.push(escapeMarkdown(e.description), "");
  lines.push(...facts(e));
  const episodes = episodesTable(e);
  if (episodes) lines.push("", episodes);
  if (e.error) {
    lines.push(
      "",
      `**Source ${escapeMarkdown(e.error.source)} failed:** ${escapeMarkdown(e.error.message)}`,
    );
  }
  if (e.breakdown.length > 0) lines.push("", breakdownTable(e));
  const corrections = correctionsTable(e);
  if (corrections) lines.push("", corrections);
  const chart = charts ? burnDownChart(e) : null;
  if (chart) lines.push("", chart);
  // xychart-beta has no shading: say what the line leaves out rather than hide it.
  if (chart && corrections)
    lines.push(
      "",
      "*The line counts no event inside the corrections above: Mermaid cannot shade them.*",
    );
  // Mermaid's xychart has no markers: the table under the chart is the marker.
  if (deploysOf(e).length > 0) lines.push("", `${deploysSummary(e)}:`, "", deployTable(e));
  if (e.diagnostics.notes.length > 0) {
    lines.push("", ...e.diagnostics.notes.map((n) => `- ${escapeMarkdown(n)}`));
  }
  const what = [
    e.breakdown.length > 0 ? "what spent the budget" : null,
    deploysOf(e).length > 0 ? "deploys" : null,
  ].filter(Boolean);
  const summary = `${escapeMarkdown(e.service)} / ${escapeMarkdown(e.name)}: ${what.map((w) => `${w}, `).join("")}burn-down and details`;
  // A blank line after <summary> lets GitHub render the Markdown inside.
  return ["<details>", `<summary>${summary}</summary>`, "", ...lines, "", "</details>"].join("\n");
}

function facts(e: SloReportEntry): string[] {
  const w = e.window;
  const window =
    w.kind === "rolling"
      ? `rolling ${escapeMarkdown(w.duration)}`
      : `calendar ${w.calendar} (${escapeMarkdown(w.timeZone)})`;
  const out = [
    `- Window: ${window}, ${shortTime(w.start)} → ${shortTime(w.end)}`,
    e.error
      ? // Zero counts would read as a quiet service: say it was not evaluated.
        `- Events: not evaluated: source ${escapeMarkdown(e.error.source)} failed`
      : `- Events: ${e.events.total.toLocaleString("en-US")} in all, ${e.events.bad.toLocaleString("en-US")} bad` +
        (e.timeslices ? `; ${e.timeslices.good} of ${e.timeslices.total} time slices good` : ""),
  ];
  if (e.runbook) out.push(`- Runbook: ${runbookLink(e.runbook)}`);
  const corrections = correctionsSummary(e);
  if (corrections) out.push(`- Corrections: ${corrections}: left out of the SLI and the budget`);
  if (e.sli !== null) {
    out.push(
      `- Error budget: ${budgetPercent(e.errorBudget.consumed)} spent, ${budgetPercent(e.errorBudget.remaining)} left`,
    );
  }
  if (e.sli !== null && e.errorBudget.remaining <= 0) {
    out.push("- Budget exhausted: the error budget policy says fix reliability before shipping");
  } else if (e.exhaustion) {
    const at = (label: "1h" | "1d") => {
      const t = e.exhaustion?.[label];
      return t ? `${shortTime(t)} at the ${label} burn rate` : null;
    };
    const parts = [at("1h"), at("1d")].filter((p): p is string => p !== null);
    if (parts.length > 0) out.push(`- Budget runs out: ${parts.join("; ")}`);
  }
  // The scheduled report's look back (slo report). Numbers, times and window
  // labels (durations, validated) only: nothing here needs escaping.
  if (e.previous) out.push(`- Trend: ${trendMark(e)}${trendText(e)}`);
  if (e.alertHistory) {
    out.push(
      `- Alerts that fired: ${episodesSummary(e.alertHistory)} (${e.alertHistory.step} resolution)`,
    );
  }
  return out;
}

/** "🟢 " or "🔴 " before a trend that moved: its word says the same without colour. */
function trendMark(e: SloReportEntry): string {
  const trend = trendOf(e);
  const emoji = trend ? TREND_EMOJI[trend.direction] : "";
  return emoji ? `${emoji} ` : "";
}

/**
 * The alerts that fired, newest first, capped: one short row each. Times,
 * durations, window labels (validated durations) and numbers only: nothing
 * here needs escaping.
 */
function episodesTable(e: SloReportEntry): string | null {
  const history = e.alertHistory;
  if (!history || history.episodes.length === 0) return null;
  const { shown, more } = episodesToShow(history);
  const rows = shown.map((ep) => {
    const c = episodeCells(ep, history.since);
    const to = c.duration === "–" ? c.to : `${c.to} (${c.duration})`;
    return `| ${c.severity} | ${c.from} | ${to} | ${c.windows} | ${c.peak} |`;
  });
  const rest = moreEpisodesText(more);
  return [
    "| alert | from (UTC) | to (for) | windows | peak burn |",
    "|:--|:--|:--|:--|--:|",
    ...rows,
    ...(rest ? ["", `${rest} (all in the JSON report)`] : []),
  ].join("\n");
}

/** A link for a web address; anything else (`javascript:`, a wiki page's name) as text. */
function runbookLink(runbook: string): string {
  const url = markdownUrl(runbook);
  return url ? `[runbook](${url})` : escapeMarkdown(runbook);
}

function breakdownTable(e: SloReportEntry): string {
  const total = e.breakdown.reduce((sum, b) => sum + b.count, 0);
  return [
    "| what spent the budget | bad events | share |",
    "|:--|--:|--:|",
    ...e.breakdown.map(
      (b) =>
        `| ${breakdownName(b)} | ${breakdownCount(b)} | ${total > 0 ? budgetPercent(b.count / total) : "–"} |`,
    ),
  ].join("\n");
}

/** The corrections that touched the window: reason (escaped), category, when, events excluded. */
function correctionsTable(e: SloReportEntry): string | null {
  const corrections = e.corrections ?? [];
  if (corrections.length === 0) return null;
  return [
    "| correction | category | when | events excluded |",
    "|:--|:--|:--|--:|",
    ...corrections.map(
      (c) =>
        `| ${c.reason ? escapeMarkdown(c.reason) : "*no reason given*"} | ${c.category} | ${correctionWhen(c, escapeMarkdown)} | ${excludedText(c.excluded).replace(/ events?/, "")} |`,
    ),
  ].join("\n");
}

/** Time, version (linked to its PR), budget spent until the next deploy, error ratio before → after. */
function deployTable(e: SloReportEntry): string {
  const rows: string[] = [];
  if (e.budgetSpentBeforeDeploys !== undefined) {
    rows.push(`| *before the first deploy* | | ${budgetShare(e.budgetSpentBeforeDeploys)} | |`);
  }
  for (const d of deploysOf(e)) {
    rows.push(
      `| ${deployMinute(d.at)} | ${versionLink(d)} | ${budgetShare(d.budgetSpent)} | ${ratioChange(d)} |`,
    );
  }
  return [
    "| deployed (UTC) | version | budget spent | error ratio before → after |",
    "|:--|:--|--:|:--|",
    ...rows,
  ].join("\n");
}

/** `[v1.2 (#42)](url)`: the version escaped, the PR's address a link only when it is a web address. */
function versionLink(d: ReportDeployRef): string {
  const version = escapeMarkdown(versionText(d.version));
  if (!d.pullRequest) return version;
  const text = `${version} (#${d.pullRequest.number})`;
  const url = markdownUrl(d.pullRequest.url);
  return url ? `[${text}](${url})` : text;
}

const VERDICT_ICON: Record<Verdict, string> = {
  pass: "✅",
  regressed: "❌",
  inconclusive: "⚠️",
};

function verifyHeading(run: ReportVerifyRun, options: MarkdownOptions): string {
  const title = escapeMarkdown(options.title ?? "Deploy verification");
  return `## ${VERDICT_ICON[run.result]} ${title}: ${run.result}`;
}

/** The deploy judged, the windows compared and the rule a regression must meet. */
function verifyLead(report: SloReport, run: ReportVerifyRun): string {
  const d = run.deploy;
  const sha = shortSha(d.sha);
  const deploy = `Deploy ${versionLink(d)}${sha ? `, commit ${sha}` : ""}, at ${shortTime(d.at)} (${ORIGIN_TEXT[d.origin]}).`;
  const windows = verifyWindowsText(judgedOn(report.slos, d));
  const rule = verifyCriteriaText(run);
  return [
    deploy,
    `${windows ? `${capitalise(windows)}; ` : ""}${windows ? rule : capitalise(rule)}.`,
  ].join("\n");
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A row per SLO and comparison: baseline → after, the p-value, the verdict and why. */
function verifyTable(entries: readonly SloReportEntry[]): string {
  const rows = entries
    .flatMap(verifyRows)
    .map((r) =>
      [
        escapeMarkdown(r.slo),
        r.baseline,
        r.events,
        r.bad,
        r.errorRatio,
        r.burnRate,
        r.pValue,
        r.verdict ? `${VERDICT_ICON[r.verdict]} ${r.verdict}` : "–",
        escapeMarkdown(r.why) + r.whyMore,
      ].join(" | "),
    );
  const align = VERIFY_COLUMNS.map((_, i) => (VERIFY_NUMERIC.has(i) ? "--:" : ":--")).join("|");
  return [`| ${VERIFY_COLUMNS.join(" | ")} |`, `|${align}|`, ...rows.map((r) => `| ${r} |`)].join(
    "\n",
  );
}

/** Values escaped to plain text; slo's own buckets and the empty value in italics. */
function breakdownName(b: BreakdownRow): string {
  if ("bucket" in b) return `*${BUCKET_LABEL[b.bucket]}*`;
  return b.value === "" ? "*empty*" : escapeMarkdown(b.value);
}

function healthSection(health: HealthReport[]): string {
  const rows: string[] = [];
  for (const h of health) {
    const check = `${h.ok ? "✅" : h.onFailure === "fail" ? "❌" : "⚠️"} ${escapeMarkdown(h.service)} / ${escapeMarkdown(h.name)}`;
    if (h.error) {
      rows.push(`| ${check} | – | ${escapeMarkdown(h.error)} | |`);
      continue;
    }
    if (h.dependencies.length === 0) rows.push(`| ${check} | – | no dependencies listed | |`);
    for (const d of h.dependencies) {
      const ok = d.status.toUpperCase() === "OK";
      rows.push(
        `| ${check} | ${escapeMarkdown(d.name)} | ${ok ? "" : "**"}${escapeMarkdown(d.status)}${ok ? "" : "**"} | ${d.statusTime ? escapeMarkdown(d.statusTime) : ""} |`,
      );
    }
  }
  return [
    "### Dependency health",
    "",
    "| check | dependency | status | since |",
    "|:--|:--|:--|:--|",
    ...rows,
  ].join("\n");
}

function footer(report: SloReport, options: MarkdownOptions): string {
  const gate = options.gate ? ` · the gate ${options.gate}` : "";
  const run = options.runUrl ? ` · [workflow run](${encodeURI(options.runUrl)})` : "";
  const sha = options.commit && /^[0-9a-f]{7,}$/i.test(options.commit) ? options.commit : null;
  const commit = sha ? ` · commit ${sha.slice(0, 7)}` : "";
  const ranAt = options.ranAt ? ` · run at ${shortTime(options.ranAt)}` : "";
  return `<sub>Evaluated at ${shortTime(report.evaluatedAt)}${commit}${ranAt}${gate}${run}</sub>`;
}

function shortTime(iso: string): string {
  return iso.replace("T", " ").replace(/:\d{2}\.\d{3}Z$|\.\d{3}Z$|Z$/, " UTC");
}

function groupByService(entries: SloReportEntry[]): Map<string, SloReportEntry[]> {
  const map = new Map<string, SloReportEntry[]>();
  for (const e of entries) map.set(e.service, [...(map.get(e.service) ?? []), e]);
  return map;
}
