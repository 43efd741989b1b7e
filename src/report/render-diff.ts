/**
 * A review of a change to the SLO files, as text (the terminal), Markdown
 * (the PR comment, the check run, the job summary) and JSON. Names and
 * paths come from the SLO files: escaped for where they go.
 */

import type { SloChange, SloDiff, SloDiffSide } from "./diff-model.js";
import { escapeMarkdown, escapeTerminal } from "./escape.js";
import { burnRate, objectivePercent, percent } from "./format.js";

const SHORT_SHA = 7;

export function renderDiffJson(diff: SloDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

/** One line per aspect, before -> after; the replay of the alerts in words. */
export function renderDiffText(diff: SloDiff): string {
  const lines = [`${headline(diff)}`, `  ${countsLine(diff)}`];
  for (const change of diff.changes) {
    lines.push("", changeTitle(change, escapeTerminal));
    if (change.changed.length > 0) lines.push(`  changed      ${change.changed.join(", ")}`);
    for (const [label, values] of rowsOf(change, escapeTerminal)) {
      lines.push(`  ${label.padEnd(12)} ${values.join(ARROW)}`);
    }
    const replay = replayText(change, escapeTerminal);
    if (replay) lines.push(`  ${replay}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A table per SLO added, removed or changed: each aspect before and after. */
export function renderDiffMarkdown(diff: SloDiff): string {
  const md = (text: string) => escapeMarkdown(text);
  const blocks = ["## 📝 SLO changes", `${md(headline(diff))}: ${md(countsLine(diff))}.`];
  for (const change of diff.changes) {
    blocks.push(`### ${changeTitle(change, md)}`);
    const rows = rowsOf(change, md).map(
      ([label, values]) => `| ${label} | ${values.join(" | ")} |`,
    );
    const head =
      change.kind === "changed"
        ? ["| | before | after |", "|:--|:--|:--|"]
        : [`| | ${change.kind === "added" ? "added" : "removed"} |`, "|:--|:--|"];
    const lead = change.changed.length > 0 ? [`Changed: ${change.changed.join(", ")}.`, ""] : [];
    const replay = replayText(change, md);
    blocks.push([...lead, ...head, ...rows, ...(replay ? ["", `${replay}`] : [])].join("\n"));
  }
  return `${blocks.join("\n\n")}\n`;
}

const ARROW = " → ";

function headline(diff: SloDiff): string {
  const sha = diff.base.sha.slice(0, SHORT_SHA);
  const ref = diff.base.ref.startsWith(sha) ? sha : `${diff.base.ref} (${sha})`;
  return `SLO changes since ${ref}, each side evaluated on the same data at ${diff.evaluatedAt}`;
}

function countsLine(diff: SloDiff): string {
  const count = (kind: SloChange["kind"]) => diff.changes.filter((c) => c.kind === kind).length;
  return `${count("changed")} changed, ${count("added")} added, ${count("removed")} removed, ${diff.unchanged} unchanged`;
}

function changeTitle(change: SloChange, name: (text: string) => string): string {
  const side = change.after ?? change.before;
  const where = side ? ` (${name(side.definedAt)})` : "";
  return `${change.kind} ${name(change.service)} / ${name(change.name)}${where}`;
}

type Row = [label: string, values: string[]];

/** Each aspect: one side's value, or the base's and the new one's. */
function rowsOf(change: SloChange, esc: (text: string) => string): Row[] {
  const row = (label: string, of: (side: SloDiffSide) => string): Row => {
    const values = [change.before, change.after]
      .filter((s): s is SloDiffSide => s !== null)
      .map(of);
    return [label, values];
  };
  return [
    row("objective", (s) => objectivePercent(s.objective)),
    row(
      "window",
      (s) =>
        `${esc(s.window)}${s.budgetingMethod === "occurrences" ? "" : `, ${s.budgetingMethod}`}`,
    ),
    row("alerting", (s) => alertingText(s)),
    row("SLI", (s) => percent(s.sli)),
    row("budget left", (s) => percent(s.budgetRemaining, 1)),
    row("status", (s) => (s.error ? `error: ${esc(s.error)}` : s.status)),
    row("pages", (s) => String(s.pages)),
    row("tickets", (s) => String(s.tickets)),
  ];
}

function alertingText(side: SloDiffSide): string {
  if (side.alerting.length === 0) return "none";
  return side.alerting
    .map((a) => `${a.severity} ${a.long}/${a.short} > ${burnRate(a.factor)}`)
    .join(", ");
}

/** "Would have paged 3 times in the last 30d; now 5." */
export function replayText(change: SloChange, esc: (text: string) => string): string | null {
  const before = change.before && { ...change.before, window: esc(change.before.window) };
  const after = change.after && { ...change.after, window: esc(change.after.window) };
  const times = (n: number) => `${n} time${n === 1 ? "" : "s"}`;
  if (before && after) {
    const also = before.window === after.window ? "" : ` in the last ${after.window}`;
    return `Would have paged ${times(before.pages)} in the last ${before.window}; now ${after.pages}${also}. Tickets: ${before.tickets} → ${after.tickets}.`;
  }
  if (after)
    return `Would have paged ${times(after.pages)} and opened ${after.tickets} ticket${after.tickets === 1 ? "" : "s"} in the last ${after.window}.`;
  if (before)
    return `Paged ${times(before.pages)} and opened ${before.tickets} ticket${before.tickets === 1 ? "" : "s"} in the last ${before.window}; removed, it pages no more.`;
  return null;
}
