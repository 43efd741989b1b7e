/**
 * The HTML report's SLO list in the order a reader acts on it, and its
 * status and service filters. The page runs no script (its CSP forbids
 * it), so a filter is a radio button and a stylesheet rule, `body:has(#id
 * :checked)` hiding what does not match; a browser without `:has()` hides
 * the filters and shows the plain sorted list.
 */

import { escapeHtml } from "./escape.js";
import type { SloReportEntry } from "./schema.js";

type Status = SloReportEntry["status"];

/** Ties in budget left: the worse status first. */
const STATUS_RANK: Record<Status, number> = {
  breaching: 0,
  warning: 1,
  ok: 2,
  error: 3,
  "no-data": 4,
};

const STATUS_ORDER: readonly Status[] = ["breaching", "warning", "error", "no-data", "ok"];

const STATUS_TEXT: Record<Status, string> = {
  ok: "ok",
  warning: "warning",
  breaching: "breaching",
  "no-data": "no data",
  error: "error",
};

const hasBudget = (e: SloReportEntry) => e.status !== "error" && e.status !== "no-data";

/**
 * Least budget left first. An SLO whose source failed, then one without
 * events, come after every SLO with a budget: they have none to rank by,
 * and the status filter finds them.
 */
export function byBudgetLeft(entries: readonly SloReportEntry[]): SloReportEntry[] {
  return underTheirDefinition(sortedByBudgetLeft(entries));
}

/**
 * A grouped SLO's entries together, where its first (the whole, with
 * `gate.per: whole`, else its worst group) ranks; the rest in that order.
 */
function underTheirDefinition(sorted: readonly SloReportEntry[]): SloReportEntry[] {
  const blockOf = (e: SloReportEntry) =>
    e.group ? `${e.service}\u0000${e.group.definition}` : undefined;
  const wholeFirst = (a: SloReportEntry, b: SloReportEntry) =>
    Number(b.group?.kind === "whole") - Number(a.group?.kind === "whole");
  const out: SloReportEntry[] = [];
  const placed = new Set<string>();
  for (const e of sorted) {
    const block = blockOf(e);
    if (block === undefined) out.push(e);
    else if (!placed.has(block)) {
      placed.add(block);
      out.push(...sorted.filter((g) => blockOf(g) === block).sort(wholeFirst));
    }
  }
  return out;
}

function sortedByBudgetLeft(entries: readonly SloReportEntry[]): SloReportEntry[] {
  return [...entries].sort((a, b) => {
    const numbers = Number(hasBudget(b)) - Number(hasBudget(a));
    if (numbers !== 0) return numbers;
    if (hasBudget(a) && a.errorBudget.remaining !== b.errorBudget.remaining) {
      return a.errorBudget.remaining - b.errorBudget.remaining;
    }
    return (
      STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
      a.service.localeCompare(b.service) ||
      a.name.localeCompare(b.name)
    );
  });
}

/** Services numbered in name order: a filter's id and data attribute hold the number, never the name. */
export function serviceIndex(entries: readonly SloReportEntry[]): Map<string, number> {
  const names = [...new Set(entries.map((e) => e.service))].sort((a, b) => a.localeCompare(b));
  return new Map(names.map((name, i) => [name, i]));
}

/** The attributes a filter matches on, for a summary row or an SLO's section. */
export function filterAttributes(e: SloReportEntry, services: Map<string, number>): string {
  return `data-status="${e.status}" data-service="${services.get(e.service)}"`;
}

/** The filters' radio buttons: a status or service with its count of SLOs, "all" checked. */
export function filterControls(
  entries: readonly SloReportEntry[],
  services: Map<string, number>,
): string {
  const statuses = STATUS_ORDER.map(
    (s) => [s, entries.filter((e) => e.status === s).length] as const,
  ).filter(([, n]) => n > 0);
  const status = group("status", "Status", entries.length, [
    ...statuses.map(([s, n]) => ({ id: s, text: STATUS_TEXT[s], count: n })),
  ]);
  const service = group(
    "service",
    "Service",
    entries.length,
    [...services].map(([name, i]) => ({
      id: String(i),
      text: name,
      count: entries.filter((e) => e.service === name).length,
    })),
  );
  return `<nav class="filters" aria-label="Filter the SLOs">\n${status}\n${service}\n</nav>`;
}

function group(
  name: string,
  legend: string,
  total: number,
  options: { id: string; text: string; count: number }[],
): string {
  const radio = (id: string, text: string, count: number, checked: boolean) =>
    `<input type="radio" name="${name}" id="${name}-${id}"${checked ? " checked" : ""}><label for="${name}-${id}">${escapeHtml(text)} <span class="count">${count}</span></label>`;
  return `<fieldset><legend>${legend}</legend>${[
    radio("all", "all", total, true),
    ...options.map((o) => radio(o.id, o.text, o.count, false)),
  ].join("")}</fieldset>`;
}

/** A rule per filter: while its radio is checked, what does not match is hidden. */
export function filterCss(
  entries: readonly SloReportEntry[],
  services: Map<string, number>,
): string {
  const statuses = STATUS_ORDER.filter((s) => entries.some((e) => e.status === s));
  const rule = (attribute: string, value: string) =>
    `body:has(#${attribute}-${value}:checked) [data-${attribute}]:not([data-${attribute}="${value}"]) { display: none; }`;
  return [
    ...statuses.map((s) => rule("status", s)),
    ...[...services.values()].map((i) => rule("service", String(i))),
  ].join("\n");
}
