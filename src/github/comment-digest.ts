/**
 * What the sticky comment remembers of the run that wrote it, so the next
 * run can say what changed: a hidden HTML comment at its end holding the
 * commit and, for each SLO that is not ok, its status and budget left (an
 * SLO it does not list was ok). SLOs are named by a hash of their service
 * and name, so no name can end the HTML comment (`-->`) or grow the digest;
 * the digest is bounded, and one that had to leave SLOs out says so, so that
 * those are not taken for ok.
 */

import { createHash } from "node:crypto";
import { MAX_CHANGES_NAMED, MAX_COMMENT_DIGEST_CHARS } from "../limits.js";
import { escapeMarkdown } from "../report/escape.js";
import type { SloReport, SloReportEntry } from "../report/schema.js";

type Status = SloReportEntry["status"];

const LETTER: Record<Exclude<Status, "ok">, string> = {
  breaching: "b",
  warning: "w",
  error: "e",
  "no-data": "n",
};
const STATUS_OF: Record<string, Status> = {
  b: "breaching",
  w: "warning",
  e: "error",
  n: "no-data",
};
const RANK: Record<Status, number> = { breaching: 0, warning: 1, error: 2, "no-data": 3, ok: 4 };
const WORD: Record<Status, string> = {
  breaching: "breaching",
  warning: "warning",
  error: "unreadable",
  "no-data": "without data",
  ok: "ok",
};

const PREFIX = "<!-- slo-digest 1";
/** Written last when SLOs were left out: those the digest does not list are unknown, not ok. */
const MORE = "+";

export interface Digest {
  sha: string | null;
  /** by key: status and the budget left ("-171%"), null without numbers */
  slos: Map<string, { status: Status; left: string | null }>;
  /** every SLO that was not ok is listed */
  complete: boolean;
}

function keyOf(e: Pick<SloReportEntry, "service" | "name">): string {
  return createHash("sha256").update(`${e.service}\u0000${e.name}`).digest("hex").slice(0, 10);
}

/**
 * The budget left in whole percent ("-171%"), null for an SLO without
 * numbers: the line says how it moved, the table has the tenths.
 */
function leftOf(e: SloReportEntry): string | null {
  if (e.status === "error" || e.status === "no-data" || e.sli === null) return null;
  return `${Math.round(e.errorBudget.remaining * 100) || 0}%`;
}

/** The digest line for a report: at most MAX_COMMENT_DIGEST_CHARS, the worst SLOs first. */
export function digestOf(report: SloReport, sha: string | null): string {
  const head = `${PREFIX}${sha ? ` sha=${/^[0-9a-f]+$/i.test(sha) ? sha.slice(0, 7) : ""}` : ""}`;
  const tail = " -->";
  const room = MAX_COMMENT_DIGEST_CHARS - head.length - tail.length - ` ${MORE}`.length;
  const notOk = report.slos
    .filter((e) => e.status !== "ok")
    .sort((a, b) => RANK[a.status] - RANK[b.status]);
  let text = "";
  for (const e of notOk) {
    const left = leftOf(e);
    const token = ` ${keyOf(e)}${LETTER[e.status as Exclude<Status, "ok">]}${left === null ? "" : left.replace("%", "")}`;
    if (text.length + token.length > room) return `${head}${text} ${MORE}${tail}`;
    text += token;
  }
  return `${head}${text}${tail}`;
}

/** The digest a comment carries, or null (none, or from a version of slo that wrote none). */
export function readDigest(body: string): Digest | null {
  const start = body.lastIndexOf(PREFIX);
  if (start < 0) return null;
  const end = body.indexOf("-->", start);
  if (end < 0 || end - start > MAX_COMMENT_DIGEST_CHARS) return null;
  const tokens = body
    .slice(start + PREFIX.length, end)
    .trim()
    .split(/\s+/)
    .filter(Boolean);
  const digest: Digest = { sha: null, slos: new Map(), complete: true };
  for (const token of tokens) {
    const sha = /^sha=([0-9a-f]{7})$/i.exec(token);
    const slo = /^([0-9a-f]{10})([bwen])(-?\d+)?$/.exec(token);
    if (sha) digest.sha = sha[1]!;
    else if (token === MORE) digest.complete = false;
    else if (slo)
      digest.slos.set(slo[1]!, {
        status: STATUS_OF[slo[2]!]!,
        left: slo[3] === undefined ? null : `${slo[3]}%`,
      });
  }
  return digest;
}

/**
 * "**Since the last run** (commit abc1234): a: budget left -150% → -171%; b
 * now warning." (escaped Markdown), or "...: no change." The SLOs in the
 * report's order of worst first; those the previous digest could not hold
 * are left unsaid.
 */
export function changesSince(previous: Digest, report: SloReport): string {
  const changes: string[] = [];
  const entries = [...report.slos].sort((a, b) => RANK[a.status] - RANK[b.status]);
  for (const e of entries) {
    const before =
      previous.slos.get(keyOf(e)) ??
      (previous.complete ? { status: "ok" as const, left: null } : null);
    if (!before) continue;
    const name = escapeMarkdown(e.name);
    if (before.status !== e.status) changes.push(`${name} now ${WORD[e.status]}`);
    else if (before.left !== null && leftOf(e) !== null && before.left !== leftOf(e)) {
      changes.push(`${name}: budget left ${before.left} → ${leftOf(e)}`);
    }
  }
  const since = `**Since the last run**${previous.sha ? ` (commit ${previous.sha})` : ""}`;
  if (changes.length === 0) return `${since}: no change.`;
  const named = changes.slice(0, MAX_CHANGES_NAMED).join("; ");
  const more = changes.length - MAX_CHANGES_NAMED;
  return `${since}: ${named}${more > 0 ? `; and ${more.toLocaleString("en-US")} more` : ""}.`;
}
