/**
 * A GitHub issue per firing SLO alert: opened when it fires, commented when
 * its severity changes, closed when it resolves. The issue is the state:
 * a hidden marker names the SLO, and every body or comment this tool writes
 * carries the severity it announced, so the newest one says what the issue
 * last told. Only what slo wrote counts: anyone can write a marker. Each step is one request, so a run that dies between two steps
 * leaves issues the next run reads correctly and never repeats a step:
 * an issue is never opened twice, a comment never posted twice.
 */

import { ISSUE_LABEL, MARKER } from "../conventions.js";
import { escapeMarkdown } from "../report/escape.js";
import { budgetPercent } from "../report/format.js";
import type { ReportAlert } from "../report/schema.js";
import {
  alertCorrection,
  correctionSentence,
  evaluatedAt,
  longWindowLabel,
} from "./corrections.js";
import type { Issue, IssueApi } from "./issue-api.js";
import type { Notifier, TargetAlert, TargetChange } from "./notify-targets.js";
import type { AlertSubject, Severity } from "./subjects.js";
import type { TargetPlan } from "./targets.js";
import { budgetSentence, burnValue, rulesOf, SEVERITY_WORD } from "./wording.js";

/** The last state marker in a text, or null. */
export function lastState(text: string): { state: Severity | "resolved"; since: string } | null {
  let last: { state: Severity | "resolved"; since: string } | null = null;
  for (const m of text.matchAll(MARKER.alertStatePattern)) {
    last = { state: m[1] as Severity | "resolved", since: m[2]! };
  }
  return last;
}

export function issueTitle(subject: AlertSubject): string {
  return `SLO alert: ${subject.slo.service}/${subject.name} is burning its error budget`;
}

/** The burn rates of a severity's rules as a Markdown table. */
function rulesTable(rules: readonly ReportAlert[]): string {
  const rows = rules.map(
    (a) =>
      `| ${a.long} / ${a.short} | ${burnValue(a.burnRateLong) || "–"}× | ${burnValue(a.burnRateShort) || "–"}× | ${burnValue(a.factor)}× | ${a.firing ? "**firing**" : "no"} |`,
  );
  return [
    "| windows (long / short) | burn rate long | burn rate short | threshold | firing |",
    "|---|--:|--:|--:|---|",
    ...rows,
  ].join("\n");
}

function details(subject: AlertSubject, severity: Severity): string {
  const { slo, entry } = subject;
  const lines = [
    slo.description ? `> ${escapeMarkdown(slo.description)}\n` : "",
    rulesTable(rulesOf(entry, severity)),
    "",
    `${escapeMarkdown(capitalize(budgetSentence(entry)))}.`,
  ];
  const correction = alertCorrection(subject, severity, evaluatedAt(subject));
  if (correction) {
    lines.push("", correctionSentence(correction, longWindowLabel(slo, severity), escapeMarkdown));
  }
  if (slo.runbook) lines.push("", `Runbook: ${link(slo.runbook)}`);
  lines.push(
    "",
    `Defined at \`${escapeCode(`${entry.definedAt.file}:${entry.definedAt.line}`)}\`.`,
  );
  return lines.filter((l, i) => l !== "" || i > 0).join("\n");
}

function link(url: string): string {
  return /^https?:\/\/[^\s()<>]+$/i.test(url)
    ? `[${escapeMarkdown(url)}](${url})`
    : escapeMarkdown(url);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function escapeCode(text: string): string {
  return text.replace(/`/g, "'");
}

export function issueBody(subject: AlertSubject, severity: Severity, since: string): string {
  return [
    MARKER.alertIssue(subject.key),
    MARKER.alertState(severity, since),
    `## ${SEVERITY_WORD[severity]}: ${escapeMarkdown(subject.key)} is burning its error budget`,
    "",
    `Firing since ${since} (${severity === "page" ? "needs immediate action" : "can wait for business hours"}).`,
    "",
    details(subject, severity),
    "",
    "---",
    "_Kept by `slo alerts`: commented when the severity changes, closed when the alert resolves._",
  ].join("\n");
}

export function severityComment(
  subject: AlertSubject,
  from: Severity | "resolved",
  to: Severity,
  since: string,
): string {
  const headline =
    from === "resolved"
      ? `**Firing again** as ${SEVERITY_WORD[to]}.`
      : `**Severity changed** from ${SEVERITY_WORD[from]} to ${SEVERITY_WORD[to]}.`;
  return [MARKER.alertState(to, since), headline, "", details(subject, to)].join("\n");
}

export function resolvedComment(subject: AlertSubject, was: Severity, atIso: string): string {
  return [
    MARKER.alertState("resolved", atIso),
    `**Resolved** at ${atIso}: ${escapeMarkdown(subject.key)} burns its error budget under the ${SEVERITY_WORD[was]} thresholds again; budget left ${budgetPercent(subject.entry.errorBudget.remaining)}.`,
  ].join("\n");
}

interface OpenAlertIssue {
  issue: Issue;
  state: Severity | "resolved";
  since: string;
}

export function createGitHubIssueNotifier(plan: TargetPlan, api: IssueApi): Notifier {
  /** the open issue of each SLO, found by readState */
  const open = new Map<string, OpenAlertIssue>();
  const duplicates: { issue: Issue; original: Issue }[] = [];

  return {
    plan,
    keying: "per-slo",

    async readState() {
      open.clear();
      duplicates.length = 0;
      const state = new Map<string, TargetAlert>();
      for (const issue of await api.listOpenIssues(ISSUE_LABEL.alert)) {
        if (!issue.ours) continue;
        const marker = MARKER.alertIssuePattern.exec(issue.body);
        if (!marker) continue;
        const key = decodeURIComponent(marker[1]!);
        const first = open.get(key);
        // Two runs racing can both open one; the oldest is the issue, the others are closed.
        if (first) {
          duplicates.push({ issue, original: first.issue });
          continue;
        }
        const comments = await api.listComments(issue.number);
        // An outsider's "resolved" must not make the next run announce the alert again.
        const texts = [issue.body, ...comments.filter((c) => c.ours).map((c) => c.body)];
        const last = texts
          .map(lastState)
          .filter((s) => s !== null)
          .pop();
        if (!last) continue;
        open.set(key, { issue, state: last.state, since: last.since });
        if (last.state !== "resolved") state.set(key, { severity: last.state, since: last.since });
      }
      return state;
    },

    async deliver(changes, context) {
      for (const { issue, original } of duplicates) {
        await api.createComment(issue.number, `Duplicate of #${original.number}.`);
        await api.updateIssue(issue.number, { state: "closed", stateReason: "not_planned" });
      }
      const atIso = new Date(context.atMs).toISOString();
      const handled = new Set<string>();
      for (const change of changes) {
        handled.add(change.key);
        const subject = context.subject(change.key);
        const existing = open.get(change.key);
        await step(change, subject, existing, atIso);
        await context.delivered(change);
      }
      // Resolved and commented, but not yet closed (the last run stopped in between): close now.
      for (const [key, item] of open) {
        if (item.state === "resolved" && !handled.has(key)) {
          await api.updateIssue(item.issue.number, { state: "closed", stateReason: "completed" });
        }
      }
    },
  };

  async function step(
    change: TargetChange,
    subject: AlertSubject,
    existing: OpenAlertIssue | undefined,
    atIso: string,
  ): Promise<void> {
    switch (change.kind) {
      case "unchanged":
        return;
      case "fired": {
        const { severity, since } = change.current;
        if (existing) {
          // The issue was resolved but is still open: say it fires again, in the same issue.
          await api.createComment(
            existing.issue.number,
            severityComment(subject, existing.state, severity, since),
          );
          return;
        }
        await api.createIssue({
          title: issueTitle(subject),
          body: issueBody(subject, severity, since),
          labels: [ISSUE_LABEL.alert],
        });
        return;
      }
      case "changed":
        await api.createComment(
          existing!.issue.number,
          severityComment(
            subject,
            change.previous.severity,
            change.current.severity,
            change.current.since,
          ),
        );
        return;
      case "resolved":
        await api.createComment(
          existing!.issue.number,
          resolvedComment(subject, change.previous.severity, atIso),
        );
        await api.updateIssue(existing!.issue.number, {
          state: "closed",
          stateReason: "completed",
        });
        return;
    }
  }
}
