/**
 * The HTML report: one self-contained file (inline CSS, an inline SVG chart
 * per SLO, no script, nothing fetched), readable in any browser with
 * JavaScript off, and safe to open: every string from SLO files or logs is
 * escaped, and a Content-Security-Policy forbids scripts and remote loads.
 */

import { REPORT_TITLE } from "../conventions.js";
import { DEFAULT_LOG_BREAKDOWN_FIELD } from "../defaults.js";
import {
  correctionsSummary,
  correctionWhen,
  excludedText,
  periodsLeftOutText,
} from "./corrections.js";
import { episodeCells, episodesSummary, episodesToShow, moreEpisodesText } from "./episodes.js";
import { escapeHtml, markdownUrl } from "./escape.js";
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
import {
  byBudgetLeft,
  filterAttributes,
  filterControls,
  filterCss,
  serviceIndex,
} from "./html-filters.js";
import { HTML_CSS } from "./html-style.js";
import {
  budgetShare,
  deployMinute,
  deploysOf,
  deploysSummary,
  ratioChange,
  versionText,
  versionWithPr,
  webUrl,
} from "./render-deploys.js";
import type { ReportDeploy, SloReport, SloReportEntry } from "./schema.js";
import { burnRateSvg } from "./svg-burn-rate.js";
import { burnDownSvg, type ChartMarker, type ChartPeriod, type ChartVariant } from "./svg-chart.js";
import { shortTime, TREND_ARROW, trendOf, trendText } from "./trend.js";

export interface HtmlOptions {
  /** the page's heading (default REPORT_TITLE) */
  title?: string;
  /** a link to where the report was made (the workflow run) */
  runUrl?: string | null | undefined;
  /** the gate's warning threshold, drawn on the charts, per SLO key `service/name` */
  warnRemaining?: Record<string, number>;
}

const STATUS_TEXT: Record<SloReportEntry["status"], string> = {
  ok: "ok",
  warning: "warning",
  breaching: "breaching",
  "no-data": "no data",
  error: "error",
};

export function renderHtml(report: SloReport, options: HtmlOptions = {}): string {
  const title = options.title ?? REPORT_TITLE;
  const slos = byBudgetLeft(report.slos);
  const services = serviceIndex(slos);
  const body = [
    header(report, title),
    filterControls(slos, services),
    summaryTable(slos, services),
    ...slos.map((entry) => sloSection(entry, options, services)),
    footer(report, options),
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}: ${escapeHtml(report.result)} at ${escapeHtml(shortTime(report.evaluatedAt))}</title>
<style>${HTML_CSS}${filterCss(slos, services)}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function header(report: SloReport, title: string): string {
  const services = new Set(report.slos.map((s) => s.service)).size;
  const firing = report.slos.filter((s) => s.alerts.some((a) => a.firing)).length;
  return `<header>
<h1>${escapeHtml(title)}: <span class="result">${escapeHtml(report.result.toUpperCase())}</span></h1>
<p class="muted">${report.slos.length} SLO${report.slos.length === 1 ? "" : "s"} in ${services} service${services === 1 ? "" : "s"} · ${firing} with a burn-rate alert firing · evaluated at ${escapeHtml(shortTime(report.evaluatedAt))}</p>
</header>`;
}

function statusBadge(status: SloReportEntry["status"]): string {
  return `<span class="status status-${status}">${STATUS_TEXT[status]}</span>`;
}

/**
 * The SLO's section id: `slo-`, the service, `--`, the name. Each part keeps
 * letters, digits and single inner `-`; any other character (`_`, a `-` at
 * an end or beside another) is written `_<hex>_`, so `--` appears only
 * between the two and two SLOs never share an id (`a`/`b-c`, `a-b`/`c`).
 */
function anchor(entry: SloReportEntry): string {
  return `slo-${idPart(entry.service)}--${idPart(entry.name)}`;
}

function idPart(text: string): string {
  const chars = [...text];
  const plainDash = (i: number) =>
    i > 0 && i < chars.length - 1 && chars[i - 1] !== "-" && chars[i + 1] !== "-";
  return chars
    .map((c, i) =>
      /[A-Za-z0-9]/.test(c) || (c === "-" && plainDash(i))
        ? c
        : `_${c.codePointAt(0)!.toString(16)}_`,
    )
    .join("");
}

/** A name escaped, with a place to wrap after each - _ . / so a long name breaks between its words. */
function wrappableName(name: string): string {
  return escapeHtml(name).replace(/([-_./])/g, "$1<wbr>");
}

function summaryTable(entries: readonly SloReportEntry[], services: Map<string, number>): string {
  const rows = entries.map((e) => {
    const trend = trendOf(e);
    const fired = e.alertHistory?.episodes.length ?? 0;
    return `<tr ${filterAttributes(e, services)}>
<td data-label="status">${statusBadge(e.status)}</td>
<td data-label="service">${wrappableName(e.service)}</td>
<td class="name" data-label="SLO">${groupMark(e)}<a href="#${anchor(e)}">${wrappableName(e.name)}</a>${e.gated ? "" : ' <span class="muted">(not gated)</span>'}</td>
<td class="num" data-label="SLI / objective">${percent(e.sli)} / ${objectivePercent(e.objective)}</td>
<td class="num" data-label="budget left">${hasNumbers(e) ? budgetPercent(e.errorBudget.remaining) : "–"}</td>
<td class="num" data-label="trend">${trend ? `<span class="${trend.direction}">${TREND_ARROW[trend.direction]} ${trend.direction === "same" ? "" : `${Math.abs(trend.sliDeltaPoints).toFixed(3)} pp`}</span>` : "–"}</td>
<td data-label="firing now">${firingNow(e)}</td>
<td class="num" data-label="alerts fired">${e.alertHistory ? fired : "–"}</td>
</tr>`;
  });
  return `<section class="table-wrap">
<table class="summary">
<caption class="muted">Least budget left first; an SLO whose source failed, then one without data, last.</caption>
<thead><tr><th>status</th><th>service</th><th>SLO</th><th class="num">SLI / objective</th><th class="num">budget left</th><th class="num">trend</th><th>firing now</th><th class="num">alerts fired</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>
</section>`;
}

/** A group of a grouped SLO sits under its definition (the list keeps them together): marked so. */
function groupMark(e: SloReportEntry): string {
  return e.group && e.group.kind !== "whole"
    ? '<span class="muted" aria-hidden="true">↳ </span>'
    : "";
}

function hasNumbers(e: SloReportEntry): boolean {
  return e.status !== "no-data" && e.status !== "error";
}

function firingNow(e: SloReportEntry): string {
  const firing = e.alerts.filter((a) => a.firing);
  if (firing.length === 0) return "–";
  return firing
    .map(
      (a) =>
        `<span class="firing">${a.severity} ${escapeHtml(a.long)}/${escapeHtml(a.short)}</span>`,
    )
    .join(", ");
}

function sloSection(
  e: SloReportEntry,
  options: HtmlOptions,
  services: Map<string, number>,
): string {
  const parts: string[] = [
    `<h2>${wrappableName(e.service)} / ${wrappableName(e.name)} ${statusBadge(e.status)}</h2>`,
  ];
  if (e.description) parts.push(`<p>${escapeHtml(e.description)}</p>`);
  parts.push(facts(e));
  if (e.error) {
    parts.push(
      `<p class="firing">Source ${escapeHtml(e.error.source)} failed: ${escapeHtml(e.error.message)}</p>`,
    );
  }
  parts.push(e.error ? "" : chart(e, options), burnRateFigure(e), deployTable(e));
  parts.push(burnRateTable(e), alertHistory(e), breakdown(e), correctionsTable(e));
  if (e.diagnostics.notes.length > 0) {
    parts.push(
      `<h3>Notes</h3>\n<ul>${e.diagnostics.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`,
    );
  }
  return `<section class="slo" id="${anchor(e)}" ${filterAttributes(e, services)}>\n${parts.filter(Boolean).join("\n")}\n</section>`;
}

function facts(e: SloReportEntry): string {
  const w = e.window;
  const window =
    w.kind === "rolling"
      ? `rolling ${escapeHtml(w.duration)}`
      : `calendar ${escapeHtml(w.calendar)} (${escapeHtml(w.timeZone)})`;
  const rows: [string, string][] = [
    ["Objective", objectivePercent(e.objective)],
    ["Window", `${window}, ${escapeHtml(shortTime(w.start))} → ${escapeHtml(shortTime(w.end))}`],
    [
      "Events",
      e.error
        ? `not evaluated: source ${escapeHtml(e.error.source)} failed`
        : `${e.events.total.toLocaleString("en-US")} in all, ${e.events.bad.toLocaleString("en-US")} bad${e.timeslices ? `; ${e.timeslices.good} of ${e.timeslices.total} time slices good` : ""}`,
    ],
    ["SLI", percent(e.sli)],
  ];
  if (e.runbook) rows.push(["Runbook", runbookHtml(e.runbook)]);
  const corrections = correctionsSummary(e);
  if (corrections) {
    rows.push(["Corrections", `${escapeHtml(corrections)}: left out of the SLI and the budget`]);
  }
  if (hasNumbers(e)) {
    rows.push([
      "Error budget",
      `${budgetPercent(e.errorBudget.consumed)} spent, <strong>${budgetPercent(e.errorBudget.remaining)} left</strong>`,
    ]);
  }
  if (e.previous) {
    const trend = trendOf(e);
    rows.push([
      "Trend",
      `<span class="${trend?.direction ?? "same"}">${escapeHtml(trendText(e))}</span>`,
    ]);
  }
  if (e.sli !== null && e.errorBudget.remaining <= 0) {
    rows.push(["Budget", '<span class="worse">exhausted: fix reliability before shipping</span>']);
  } else if (e.exhaustion) {
    const at = (label: "1h" | "1d") => {
      const t = e.exhaustion?.[label];
      return t ? `${escapeHtml(shortTime(t))} at the ${label} burn rate` : null;
    };
    const parts = [at("1h"), at("1d")].filter((p): p is string => p !== null);
    if (parts.length > 0) rows.push(["Budget runs out", parts.join("; ")]);
  }
  return `<dl class="facts">\n${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join("\n")}\n</dl>`;
}

function chart(e: SloReportEntry, options: HtmlOptions): string {
  const startMs = Date.parse(e.window.start);
  const endMs = Date.parse(e.window.end);
  const bands = (e.alertHistory?.episodes ?? []).map((ep) => ({
    severity: ep.severity,
    startMs: Date.parse(ep.start),
    endMs: ep.end === null ? null : Date.parse(ep.end),
  }));
  const svg = (variant: ChartVariant) =>
    burnDownSvg({
      points: e.burnDown,
      startMs,
      endMs,
      bands,
      warnRemaining: options.warnRemaining?.[`${e.service}/${e.name}`],
      title: `Error budget burn-down of ${e.service} / ${e.name}`,
      markers: deployMarkers(e),
      corrections: correctionPeriods(e),
      variant,
    });
  const bandKey =
    bands.length > 0
      ? ' Shaded: <span class="key key-page"></span> page and <span class="key key-ticket"></span> ticket alerts firing.'
      : "";
  const deployKey =
    deploysOf(e).length > 0
      ? ' <span class="key key-deploy"></span> Deploys, with their version (hover a line for the budget it spent).'
      : "";
  const leftOut = periodsLeftOutText(e.corrections ?? []);
  const correctionKey =
    (e.corrections ?? []).length > 0
      ? ` <span class="key key-correction"></span> Corrections: periods whose events do not count (hover one for its reason).${leftOut ? ` ${leftOut}` : ""}`
      : "";
  const key = bandKey + deployKey + correctionKey;
  return `<figure>\n${svg("wide")}\n${svg("narrow")}\n<figcaption>Error budget remaining over the ${escapeHtml(windowLabel(e))} window; below the red line it is overspent.${key}</figcaption>\n</figure>`;
}

/** Each long alert window's burn rate through the window, against its alerts' thresholds. */
function burnRateFigure(e: SloReportEntry): string {
  const history = e.burnRateHistory;
  if (!history) {
    return hasNumbers(e) && e.alerts.length === 0
      ? '<p class="muted">No burn-rate alerts are defined for this SLO: no burn-rate chart.</p>'
      : "";
  }
  const svg = (variant: ChartVariant) =>
    burnRateSvg({
      history,
      endMs: Date.parse(e.window.end),
      title: `Burn rates of ${e.service} / ${e.name}`,
      corrections: correctionPeriods(e),
      variant,
    });
  return `<figure>\n${svg("wide")}\n${svg("narrow")}\n<figcaption>Burn rate of each alert's long window (1 spends the budget exactly over the window), the highest in each ${escapeHtml(history.step)}; dashed: the rate above which that alert fires (with its short window).</figcaption>\n</figure>`;
}

/** Each correction's periods, labelled with its reason and category, for the charts' shading. */
function correctionPeriods(e: SloReportEntry): ChartPeriod[] {
  return (e.corrections ?? []).flatMap((c) =>
    c.occurrences.map((o) => ({
      startMs: Date.parse(o.start),
      endMs: Date.parse(o.end),
      label: c.reason ? `${c.reason} (${c.category})` : c.category,
    })),
  );
}

/** A vertical line per deploy: the version as label, what it spent as tooltip. */
function deployMarkers(e: SloReportEntry): ChartMarker[] {
  const deploys = deploysOf(e);
  return deploys.map((d, i) => ({
    atMs: Date.parse(d.at),
    label: versionText(d.version),
    tooltip: `${versionWithPr(d)}, deployed ${shortTime(d.at)}: ${budgetShare(d.budgetSpent)} of the budget spent until ${i + 1 < deploys.length ? "the next deploy" : "the end of the window"}`,
  }));
}

/** Which deploy spent the budget: the same deploys as the chart's markers, with their numbers. */
function deployTable(e: SloReportEntry): string {
  const deploys = deploysOf(e);
  if (deploys.length === 0) return "";
  const rows: string[] = [];
  if (e.budgetSpentBeforeDeploys !== undefined) {
    rows.push(
      `<tr><td data-label="deployed">before the first deploy</td><td data-label="version">–</td><td class="num" data-label="budget spent">${budgetShare(e.budgetSpentBeforeDeploys)}</td><td data-label="error ratio">–</td></tr>`,
    );
  }
  for (const d of deploys) {
    rows.push(
      `<tr><td data-label="deployed">${deployMinute(d.at)}</td><td class="version" data-label="version">${versionCell(d)}</td><td class="num" data-label="budget spent">${budgetShare(d.budgetSpent)}</td><td data-label="error ratio">${ratioChange(d)}</td></tr>`,
    );
  }
  return `<h3>Deploys</h3>
<p class="muted">${escapeHtml(deploysSummary(e))}.</p>
<table>
<thead><tr><th>deployed (UTC)</th><th>version</th><th class="num">budget spent</th><th>error ratio before → after</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

/** The version, linked to its PR when the PR's address is a web address. */
function versionCell(d: ReportDeploy): string {
  const text = escapeHtml(versionWithPr(d));
  const url = d.pullRequest ? webUrl(d.pullRequest.url) : null;
  return url ? `<a href="${escapeHtml(url.href)}">${text}</a>` : text;
}

function burnRateTable(e: SloReportEntry): string {
  if (e.alerts.length === 0) return "";
  const rows = e.alerts.map(
    (a) => `<tr${a.firing ? ' class="firing"' : ""}>
<td data-label="alert">${a.severity}</td><td data-label="windows">${escapeHtml(a.long)} / ${escapeHtml(a.short)}</td>
<td class="num" data-label="long">${burnRate(a.burnRateLong)}</td><td class="num" data-label="short">${burnRate(a.burnRateShort)}</td>
<td class="num" data-label="threshold">${burnRate(a.factor)}</td><td data-label="state">${a.firing ? "firing" : a.pending ? "pending" : "–"}</td></tr>`,
  );
  return `<h3>Burn rates now</h3>
<table>
<thead><tr><th>alert</th><th>windows (long / short)</th><th class="num">long</th><th class="num">short</th><th class="num">threshold</th><th>state</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

function alertHistory(e: SloReportEntry): string {
  const history = e.alertHistory;
  if (!history) return "";
  const summary = `${escapeHtml(episodesSummary(history))}, at a ${escapeHtml(history.step)} resolution`;
  if (history.episodes.length === 0) {
    return `<h3>Alerts that fired</h3>\n<p class="muted">${summary[0]!.toUpperCase()}${summary.slice(1)}.</p>`;
  }
  const { shown, more } = episodesToShow(history);
  const rows = shown.map((ep) => {
    const c = episodeCells(ep, history.since);
    const to = ep.end === null ? `<span class="firing">${c.to}</span>` : escapeHtml(c.to);
    return `<tr>
<td data-label="alert">${c.severity}</td><td data-label="from (UTC)">${escapeHtml(c.from)}</td><td data-label="to">${to}</td>
<td class="num" data-label="for">${escapeHtml(c.duration)}</td>
<td data-label="windows">${escapeHtml(c.windows)}</td><td class="num" data-label="peak burn">${c.peak}</td></tr>`;
  });
  const rest = moreEpisodesText(more);
  return `<h3>Alerts that fired</h3>
<p class="muted">${summary}, newest first.</p>
<table>
<thead><tr><th>alert</th><th>from (UTC)</th><th>to</th><th class="num">for</th><th>windows</th><th class="num">peak burn</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>${rest ? `\n<p class="muted">${escapeHtml(rest)} (all in the JSON report).</p>` : ""}`;
}

function breakdown(e: SloReportEntry): string {
  if (e.breakdown.length === 0) return "";
  const total = e.breakdown.reduce((sum, b) => sum + b.count, 0);
  // Without a breakdownBy, only a log source breaks down, by its default field.
  const key = escapeHtml(e.breakdownBy ?? DEFAULT_LOG_BREAKDOWN_FIELD);
  const rows = [...e.breakdown]
    .sort((a, b) => b.count - a.count)
    .map(
      (b) =>
        `<tr><td class="name" data-label="${key}">${breakdownName(b)}</td><td class="num" data-label="count">${breakdownCount(b)}</td><td class="num" data-label="share">${total > 0 ? budgetPercent(b.count / total) : "–"}</td></tr>`,
    );
  return `<h3>What spent the budget</h3>
<table>
<thead><tr><th>bad events by ${key}</th><th class="num">count</th><th class="num">share</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

/** The corrections that touched the window: reason, category, when, events excluded. */
function correctionsTable(e: SloReportEntry): string {
  const corrections = e.corrections ?? [];
  if (corrections.length === 0) return "";
  const rows = corrections.map(
    (c) =>
      `<tr><td class="name" data-label="reason">${c.reason ? escapeHtml(c.reason) : '<em class="muted">no reason given</em>'}</td><td data-label="category">${c.category}</td><td data-label="when">${correctionWhen(c, escapeHtml)}</td><td class="num" data-label="events excluded">${excludedText(c.excluded)}</td></tr>`,
  );
  return `<h3>Corrections</h3>
<p class="muted">Periods whose events do not count: left out of the SLI, the budget, the burn rates and the alerts.</p>
<table>
<thead><tr><th>reason</th><th>category</th><th>when</th><th class="num">events excluded</th></tr></thead>
<tbody>
${rows.join("\n")}
</tbody>
</table>`;
}

/** Values as text; slo's own buckets and the empty value in muted italics. */
function breakdownName(b: BreakdownRow): string {
  if ("bucket" in b) return `<em class="muted">${BUCKET_LABEL[b.bucket]}</em>`;
  return b.value === "" ? '<em class="muted">empty</em>' : escapeHtml(b.value);
}

function footer(report: SloReport, options: HtmlOptions): string {
  const run =
    options.runUrl && /^https?:\/\//i.test(options.runUrl)
      ? ` · <a href="${escapeHtml(encodeURI(options.runUrl))}">workflow run</a>`
      : "";
  return `<footer>Made by slo at ${escapeHtml(shortTime(report.evaluatedAt))}${run}. Every number is in the JSON report (<code>slo report --format json</code>).</footer>`;
}

/** A link only to a web address (no `javascript:`); anything else as text. */
function runbookHtml(runbook: string): string {
  const url = markdownUrl(runbook);
  return url ? `<a href="${escapeHtml(url)}">${escapeHtml(runbook)}</a>` : escapeHtml(runbook);
}
