/**
 * A Markdown report fitted under a size limit (a PR comment, a check run, a
 * job summary) by its structure, not by cutting text: whole parts are left
 * out, the least useful first (details of ok SLOs, then charts, then the rows
 * of ok SLOs, then details of what is not ok), and the table of what is not
 * ok is never left out; when even it is too big, it gives way to a compact
 * list that names every breaching SLO. What was left out is said, with where
 * the whole report is.
 */

export interface DetailBlock {
  ok: boolean;
  /** the <details> block as the full report has it */
  full: string;
  /** the same without its chart; null when it has none */
  withoutChart: string | null;
}

export interface ServiceBlock {
  /** the heading and what precedes the table (slo verify's verdicts) */
  lead: string[];
  /** the table's two header lines */
  header: string;
  rows: { ok: boolean; text: string }[];
}

export interface ReportParts {
  /** the heading, the overview, the override, what changed */
  head: string[];
  /** the table of every SLO that is not ok, or null when all are */
  notOk: string | null;
  services: ServiceBlock[];
  /** not-ok first, each in the order the full report shows them */
  details: DetailBlock[];
  /** dependency health */
  tail: string[];
  footer: string;
  /** SLOs that are not ok */
  notOkCount: number;
  /** breaching SLOs */
  breaching: number;
  /**
   * The compact form of what is not ok: the first `rows` in a table, then
   * the first `named` of the breaching SLOs left by name, the rest counted.
   */
  compact: (rows: number, named: number) => string;
}

export interface Fit {
  /** characters (UTF-16 code units, as GitHub counts) */
  limit: number;
  /** the place, in words: "this comment" */
  where: string;
  /** where the whole report is, in Markdown */
  fullReport: string;
}

interface Plan {
  okDetails: number;
  notOkDetails: number;
  /** details, counted from the first kept, that keep their chart */
  charts: number;
  okRows: boolean;
  /** the compact form's table rows and names; null: the full tables are shown */
  compact: { rows: number; named: number } | null;
}

export function fitMarkdown(parts: ReportParts, fit?: Fit): string {
  const okCount = parts.details.filter((d) => d.ok).length;
  const notOkCount = parts.details.length - okCount;
  const all: Plan = {
    okDetails: okCount,
    notOkDetails: notOkCount,
    charts: parts.details.length,
    okRows: true,
    compact: null,
  };
  if (!fit) return joined(blocksOf(parts, all, null));
  const fits = (plan: Plan) => size(blocksOf(parts, plan, fit)) <= fit.limit;
  if (size(blocksOf(parts, all, null)) <= fit.limit) return joined(blocksOf(parts, all, null));
  const plan = shrink(parts, all, fits, { okCount, notOkCount });
  return joined(blocksOf(parts, plan, fit));
}

/** The largest plan that fits, each kind of part dropped only once the ones before it are gone. */
function shrink(
  parts: ReportParts,
  all: Plan,
  fits: (plan: Plan) => boolean,
  counts: { okCount: number; notOkCount: number },
): Plan {
  const okDetails = most(counts.okCount, (k) => fits({ ...all, okDetails: k }));
  if (okDetails !== null) return { ...all, okDetails };
  const noOkDetails = { ...all, okDetails: 0 };
  const charts = most(counts.notOkCount, (c) => fits({ ...noOkDetails, charts: c }));
  if (charts !== null) return { ...noOkDetails, charts };
  const noOkRows = { ...noOkDetails, charts: 0, okRows: false };
  const notOkDetails = most(counts.notOkCount, (d) => fits({ ...noOkRows, notOkDetails: d }));
  if (notOkDetails !== null) return { ...noOkRows, notOkDetails };
  const bare = { ...noOkRows, notOkDetails: 0 };
  const everyName = parts.breaching;
  const rows = most(parts.notOkCount, (r) =>
    fits({ ...bare, compact: { rows: r, named: everyName } }),
  );
  if (rows !== null) return { ...bare, compact: { rows, named: everyName } };
  const named = most(everyName, (n) => fits({ ...bare, compact: { rows: 0, named: n } }));
  // Names that long are beyond any structure: the caller's cut is the last resort.
  return { ...bare, compact: { rows: 0, named: named ?? 0 } };
}

/** The largest k in 0..n for which fits(k) holds (fits is monotone), or null when not even 0 fits. */
function most(n: number, fits: (k: number) => boolean): number | null {
  if (!fits(0)) return null;
  let [low, high] = [0, n];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

function blocksOf(parts: ReportParts, plan: Plan, fit: Fit | null): string[] {
  const blocks = [...parts.head];
  const note = fit ? leftOutNote(parts, plan, fit) : null;
  if (plan.compact !== null) {
    blocks.push(parts.compact(plan.compact.rows, plan.compact.named));
    if (note) blocks.push(note);
  } else {
    if (parts.notOk) blocks.push(parts.notOk);
    if (note) blocks.push(note);
    blocks.push(...serviceBlocks(parts, plan), ...detailBlocks(parts, plan));
  }
  blocks.push(...parts.tail, parts.footer);
  return blocks;
}

function serviceBlocks(parts: ReportParts, plan: Plan): string[] {
  // Without the ok rows, a service's table repeats rows of the table of what is not ok.
  if (!plan.okRows && parts.notOk !== null) return [];
  const blocks: string[] = [];
  for (const s of parts.services) {
    const rows = plan.okRows ? s.rows : s.rows.filter((r) => !r.ok);
    if (rows.length === 0 && s.lead.length <= 1) continue;
    blocks.push(...s.lead);
    if (rows.length > 0) blocks.push([s.header, ...rows.map((r) => r.text)].join("\n"));
  }
  return blocks;
}

function detailBlocks(parts: ReportParts, plan: Plan): string[] {
  const kept = keptDetails(parts, plan);
  if (kept.length === 0) return [];
  return [
    "### Details",
    ...kept.map((d, i) => (i < plan.charts || d.withoutChart === null ? d.full : d.withoutChart)),
  ];
}

function keptDetails(parts: ReportParts, plan: Plan): DetailBlock[] {
  const notOk = parts.details.filter((d) => !d.ok).slice(0, plan.notOkDetails);
  const ok = parts.details.filter((d) => d.ok).slice(0, plan.okDetails);
  return [...notOk, ...ok];
}

function leftOutNote(parts: ReportParts, plan: Plan, fit: Fit): string {
  const left: string[] = [];
  if (plan.compact !== null) {
    const { rows, named } = plan.compact;
    left.push("the details and the service tables of every SLO");
    if (rows < parts.notOkCount)
      left.push(
        `the table rows of ${count(parts.notOkCount - rows, "SLO")} that are not ok (named or counted above)`,
      );
    const unnamed = Math.max(0, parts.breaching - rows - named);
    if (unnamed > 0) left.push(`the names of ${count(unnamed, "breaching SLO")}`);
  } else {
    const okCount = parts.details.filter((d) => d.ok).length;
    const notOkCount = parts.details.length - okCount;
    const okRows = parts.services.reduce((n, s) => n + s.rows.filter((r) => r.ok).length, 0);
    const kept = keptDetails(parts, plan);
    // Charts of details left out go with them: counted are those of the details shown.
    const chartless = kept.filter((d, i) => i >= plan.charts && d.withoutChart !== null).length;
    if (plan.okDetails < okCount)
      left.push(`the details of ${count(okCount - plan.okDetails, "ok SLO")}`);
    if (chartless > 0) left.push(`the burn-down charts of ${count(chartless, "SLO")}`);
    if (!plan.okRows && okRows > 0) left.push(`the rows of ${count(okRows, "ok SLO")}`);
    if (plan.notOkDetails < notOkCount)
      left.push(`the details of ${count(notOkCount - plan.notOkDetails, "SLO")} that are not ok`);
  }
  return [
    "> [!NOTE]",
    `> To fit ${fit.where}, this leaves out ${listText(left)}. The whole report is in ${fit.fullReport}.`,
  ].join("\n");
}

function count(n: number, what: string): string {
  return `${n.toLocaleString("en-US")} ${what}${n === 1 ? "" : "s"}`;
}

function listText(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** Blocks joined by blank lines, as the report is written. */
function joined(blocks: string[]): string {
  return `${blocks.join("\n\n")}\n`;
}

function size(blocks: string[]): number {
  return blocks.reduce((n, b) => n + b.length + 2, 0) - 1;
}
