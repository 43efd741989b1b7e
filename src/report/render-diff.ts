/**
 * A review of a change to the SLO files, as text (the terminal), Markdown
 * (the PR comment, the check run, the job summary) and JSON. Names and
 * paths come from the SLO files: escaped for where they go. A side that
 * could not be evaluated shows its definition and says why once; it is
 * given no numbers.
 */

import type { DiffAlertRule, SloChange, SloDiff, SloDiffSide } from "./diff-model.js";
import { escapeMarkdown, escapeTerminal } from "./escape.js";
import { budgetPercent, burnRate, objectivePercent, percent } from "./format.js";

const SHORT_SHA = 7;
/** A revision made only of these reads the same in a code span as in git: shown as written. */
const PLAIN_REF = /^[A-Za-z0-9._/~^@{}:+-]{1,100}$/;
const NOT_EVALUATED = "not evaluated";
const ARROW = " → ";

type Escape = (text: string) => string;

/** Names that read the same raw and rendered (letters, digits, inner dashes and dots) are left as written. */
const PLAIN_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/;

/** Paths and messages in a code span (nothing in it is Markdown); one that holds a backtick or a control character, escaped. */
function codeOr(text: string): string {
  return /[`\p{Cc}\u2028\u2029\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u.test(text)
    ? escapeMarkdown(text)
    : `\`${text}\``;
}

/** In a table cell: what Markdown or HTML would read escaped, the rest (/, (, .) as written. */
const tableText = (text: string) =>
  [...text]
    .map((c) => (/[\\`*_<>|[\]&~!#\s]/.test(c) && c !== " " ? escapeMarkdown(c) : c))
    .join("");

const markdownName = (text: string) => (PLAIN_NAME.test(text) ? text : escapeMarkdown(text));

export function renderDiffJson(diff: SloDiff): string {
  return `${JSON.stringify(diff, null, 2)}\n`;
}

/** One line per aspect, before -> after; the replay of the alerts in words. */
export function renderDiffText(diff: SloDiff): string {
  const esc = escapeTerminal;
  const sha = diff.base.sha.slice(0, SHORT_SHA);
  const ref = diff.base.ref.startsWith(sha) ? sha : `${esc(diff.base.ref)} (${sha})`;
  const lines = [
    `SLO changes since ${ref}, ${evaluatedAt(diff, (t) => t)}`,
    `  ${countsLine(diff)}`,
  ];
  for (const u of diff.unreadable) lines.push(`  unreadable at the base: ${esc(u.error)}`);
  for (const change of diff.changes) {
    lines.push("", changeTitle(change, esc));
    if (change.movedFrom) lines.push(`  moved from ${esc(change.movedFrom)}`);
    if (change.changed.length > 0) lines.push(`  ${"changed".padEnd(12)} ${changedText(change)}`);
    for (const [label, values] of rowsOf(change, esc)) {
      lines.push(`  ${label.padEnd(12)} ${values.join(ARROW)}`);
    }
    for (const [label, why] of notEvaluated(change, esc)) {
      lines.push(`  ${label ? `${label.padEnd(12)} ` : ""}${why}`);
    }
    const replay = replayText(change, esc);
    if (replay) lines.push(`  ${replay}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A table per SLO added, removed or changed: each aspect before and after, a changed value in bold. */
export function renderDiffMarkdown(diff: SloDiff): string {
  const md = codeOr;
  const sha = `\`${diff.base.sha.slice(0, SHORT_SHA)}\``;
  const plain = PLAIN_REF.test(diff.base.ref) && !diff.base.sha.startsWith(diff.base.ref);
  const since = plain ? `\`${diff.base.ref}\` (${sha})` : sha;
  const blocks = [
    "## 📝 SLO changes",
    `SLO changes since ${since}, ${evaluatedAt(diff, (t) => `\`${t}\``)}: ${countsLine(diff)}.`,
  ];
  if (diff.unreadable.length > 0) {
    blocks.push(diff.unreadable.map((u) => `- unreadable at the base: ${md(u.error)}`).join("\n"));
  }
  for (const change of diff.changes)
    blocks.push(`### ${changeTitle(change, md, markdownName)}`, changeTable(change, md));
  return `${blocks.join("\n\n")}\n`;
}

function changeTable(change: SloChange, md: Escape): string {
  const twoSided = change.before !== null && change.after !== null;
  const rows = rowsOf(change, tableText).map(([label, values]) => {
    const [first, second] = values;
    const marked =
      twoSided && second !== undefined && second !== first ? [first, `**${second}**`] : values;
    return `| ${label} | ${marked.join(" | ")} |`;
  });
  const head = twoSided
    ? ["| | before | after |", "|:--|:--|:--|"]
    : [
        `| | ${change.before ? "removed" : change.kind === "added" ? "added" : "now"} |`,
        "|:--|:--|",
      ];
  const lead = [
    ...(change.movedFrom ? [`Moved from ${md(change.movedFrom)}.`] : []),
    ...(change.changed.length > 0 ? [`Changed: ${changedText(change)}.`] : []),
  ];
  const why = notEvaluated(change, md).map(
    ([label, text]) => `${label ? `${capital(label)}: ${text}` : capital(text)}.`,
  );
  const replay = replayText(change, tableText);
  const after = [...why, ...(replay ? [replay] : [])];
  return [
    ...(lead.length > 0 ? [lead.join(" "), ""] : []),
    ...head,
    ...rows,
    ...(after.length > 0 ? ["", after.join(" ")] : []),
  ].join("\n");
}

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

function evaluatedAt(diff: SloDiff, code: (text: string) => string): string {
  return `each side evaluated on the same data at ${code(diff.evaluatedAt)}`;
}

function countsLine(diff: SloDiff): string {
  const count = (kind: SloChange["kind"]) => diff.changes.filter((c) => c.kind === kind).length;
  const optional = [
    count("renamed") > 0 ? `${count("renamed")} renamed` : "",
    count("unreadable-at-base") > 0 ? `${count("unreadable-at-base")} unreadable at the base` : "",
  ].filter(Boolean);
  return [
    `${count("changed")} changed`,
    `${count("added")} added`,
    `${count("removed")} removed`,
    ...optional,
    `${diff.unchanged} unchanged`,
  ].join(", ");
}

function changedText(change: SloChange): string {
  return change.changed
    .map((part) =>
      part === "other" && change.otherKeys?.length
        ? `other (${change.otherKeys.join(", ")})`
        : part,
    )
    .join(", ");
}

function changeTitle(change: SloChange, path: Escape, name: Escape = path): string {
  const side = change.after ?? change.before;
  const where = side ? ` (${path(side.definedAt)})` : "";
  const slo = `${name(change.service)} / ${name(change.name)}`;
  if (change.kind === "renamed" && change.from) {
    return `renamed ${name(change.from.service)} / ${name(change.from.name)}${ARROW}${slo}${where}`;
  }
  if (change.kind === "unreadable-at-base") {
    return `unreadable at the base (${path(change.baseError ?? "")}): ${slo}${where}`;
  }
  return `${change.kind} ${slo}${where}`;
}

type Row = [label: string, values: string[]];

/** Each aspect: one side's value, or the base's and the new one's. */
function rowsOf(change: SloChange, esc: Escape): Row[] {
  const sides = [change.before, change.after].filter((s): s is SloDiffSide => s !== null);
  const row = (label: string, of: (side: SloDiffSide) => string): Row => [label, sides.map(of)];
  const result = (label: string, of: (side: SloDiffSide) => string): Row =>
    row(label, (s) => (s.error !== null ? "–" : of(s)));
  return [
    row("objective", (s) => objectivePercent(s.objective)),
    row(
      "window",
      (s) =>
        `${esc(s.window)}${s.budgetingMethod === "occurrences" ? "" : `, ${s.budgetingMethod}`}`,
    ),
    row("alerting", (s) => alertingText(s.alerting)),
    ...(change.changed.includes("gate") ? [row("gate", gateText)] : []),
    result("SLI", (s) => percent(s.sli)),
    result("budget left", (s) => budgetPercent(s.budgetRemaining)),
    row("status", (s) => (s.error !== null ? NOT_EVALUATED : s.status)),
    result("pages", (s) => String(s.pages)),
    result("tickets", (s) => String(s.tickets)),
  ];
}

/** Why a side was not evaluated, once: for both sides when they failed alike. */
function notEvaluated(change: SloChange, esc: Escape): [label: string, text: string][] {
  const why = (side: SloDiffSide) => `${NOT_EVALUATED} (source failed: ${esc(side.error ?? "")})`;
  const { before, after } = change;
  if (before?.error != null && after?.error != null) {
    return before.error === after.error
      ? [["both sides", why(before)]]
      : [
          ["before", why(before)],
          ["after", why(after)],
        ];
  }
  const failed = [before, after].find((s) => s?.error != null);
  if (!failed) return [];
  const label = before && after ? (failed === before ? "before" : "after") : "";
  return [[label, why(failed)]];
}

function alertingText(rules: DiffAlertRule[]): string {
  if (rules.length === 0) return "none";
  return rules
    .map(
      (a) =>
        `${a.severity} ${a.long}/${a.short} > ${burnRate(a.factor)}${a.alertAfter ? ` for ${a.alertAfter}` : ""}`,
    )
    .join(", ");
}

function gateText(side: SloDiffSide): string {
  if (!side.gate.enabled) return "reported only (gate: false)";
  return `fails below ${percent(side.gate.minRemaining, 1)}, warns below ${percent(side.gate.warnRemaining, 1)}`;
}

/** "Would have paged 3 times in the last 30d; now 5." Nothing is said of a side not evaluated. */
export function replayText(change: SloChange, esc: Escape): string | null {
  const evaluated = (side: SloDiffSide | null) =>
    side && side.pages !== null && side.tickets !== null
      ? { pages: side.pages, tickets: side.tickets, window: esc(side.window) }
      : null;
  const before = evaluated(change.before);
  const after = evaluated(change.after);
  const times = (n: number) => `${n} time${n === 1 ? "" : "s"}`;
  const tickets = (n: number) => `${n} ticket${n === 1 ? "" : "s"}`;
  if (before && after) {
    const also = before.window === after.window ? "" : ` in the last ${after.window}`;
    return `Would have paged ${times(before.pages)} in the last ${before.window}; now ${after.pages}${also}. Tickets: ${before.tickets} → ${after.tickets}.`;
  }
  if (after) {
    return `Would have paged ${times(after.pages)} and opened ${tickets(after.tickets)} in the last ${after.window}${change.before ? " under the new definition" : ""}.`;
  }
  if (before && !change.after) {
    return `Paged ${times(before.pages)} and opened ${tickets(before.tickets)} in the last ${before.window}; removed, it pages no more.`;
  }
  if (before) {
    return `Under the base's definition: paged ${times(before.pages)} and opened ${tickets(before.tickets)} in the last ${before.window}.`;
  }
  return null;
}
