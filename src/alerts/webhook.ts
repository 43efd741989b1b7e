/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat,
 * Discord's /slack endpoint): one message per change, never one per run.
 * A webhook cannot be asked what it was told, so the state file remembers,
 * one delivery at a time.
 */

import { SloError } from "../errors.js";
import { createHttpClient, redactUrl, splitLastSegment } from "../http/client.js";
import { oneLine } from "../report/escape.js";
import {
  alertCorrection,
  correctionSentence,
  evaluatedAt,
  longWindowLabel,
} from "./corrections.js";
import type { Notifier, TargetChange } from "./notify-targets.js";
import type { AlertStateStore } from "./state-file.js";
import type { AlertSubject } from "./subjects.js";
import { type TargetPlan, webhookDisplay } from "./targets.js";
import { budgetSentence, burnSentence, SEVERITY_WORD } from "./wording.js";

export interface WebhookOptions {
  store: AlertStateStore;
  timeoutMs: number;
  retries: number;
  backoff?: { initialMs: number; maxMs: number };
}

/** Slack's mrkdwn needs &, < and > escaped (`<!channel>` then stays text); other chat tools need @here defused. */
export function escapeSlack(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(CHANNEL_MENTION, "@\u200d$1");
}

/**
 * Mattermost, Rocket.Chat and Discord read `@here` and the like in plain
 * text as a mention of everyone; a zero-width joiner after the @ keeps the
 * word readable and the channel quiet. An address (ops@here.example) is not a mention.
 */
const CHANNEL_MENTION = /(?<![\w.@])@(everyone|here|channel|all)\b/gi;

/** The message for one change, as Slack's `text` (mrkdwn). */
export function webhookMessage(
  change: TargetChange,
  subject: AlertSubject,
  atMs: number = evaluatedAt(subject),
): string {
  return webhookText(change, subject) + correctionLine(change, subject, atMs);
}

/** "\nA correction is active: ...": said under a message about an alert during or just after one. */
function correctionLine(change: TargetChange, subject: AlertSubject, atMs: number): string {
  const severity = change.kind === "resolved" ? change.previous.severity : change.current.severity;
  const correction = alertCorrection(subject, severity, atMs);
  if (!correction) return "";
  return `\n${correctionSentence(correction, longWindowLabel(subject.slo, severity), escapeSlack)}`;
}

function webhookText(change: TargetChange, subject: AlertSubject): string {
  const name = `*${escapeSlack(oneLine(subject.slo.service))} / ${escapeSlack(oneLine(subject.name))}*`;
  const { entry, slo } = subject;
  const budget = escapeSlack(budgetSentence(entry));
  const runbook = slo.runbook ? `\nRunbook: ${slackLink(slo.runbook)}` : "";
  const description = slo.description ? `\n${escapeSlack(slo.description)}` : "";
  switch (change.kind) {
    case "fired":
    case "changed":
    case "unchanged": {
      const severity = change.current.severity;
      const was =
        change.kind === "changed" ? ` (was ${SEVERITY_WORD[change.previous.severity]})` : "";
      const icon = severity === "page" ? ":rotating_light:" : ":warning:";
      const rules = subject.firing[severity] ?? [];
      return `${icon} *${SEVERITY_WORD[severity]}*${was} ${name} is burning its error budget: ${escapeSlack(burnSentence(rules))}; ${budget}.${description}${runbook}`;
    }
    case "resolved":
      return `:white_check_mark: *RESOLVED* (was ${SEVERITY_WORD[change.previous.severity]}) ${name} burns its error budget under the alert thresholds again; ${budget}.${runbook}`;
  }
}

/** `<url|runbook>` for an http(s) URL; anything else as escaped text. */
function slackLink(url: string): string {
  if (/^https?:\/\/[^\s|<>]+$/i.test(url)) return `<${url}|runbook>`;
  return escapeSlack(url);
}

export function createWebhookNotifier(plan: TargetPlan, options: WebhookOptions): Notifier {
  const { base, path } = splitLastSegment(plan.url ?? "");
  const http = createHttpClient({
    label: plan.name ? `webhook ${plan.name}` : "webhook",
    url: base,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    errorCode: "delivery",
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const scrub = scrubberOf(plan.url ?? "");
  return {
    plan,
    keying: "per-slo",

    async readState() {
      return options.store.get(plan.id);
    },

    async deliver(changes, context) {
      for (const change of changes) {
        if (change.kind === "unchanged") continue;
        const subject = context.subject(change.key);
        // A message that could not be recorded would be sent again by every later run.
        options.store.assertWritable();
        try {
          await http.request({
            method: "POST",
            path,
            json: { text: webhookMessage(change, subject, context.atMs) },
            context: `${change.kind} ${subject.key}`,
          });
        } catch (error) {
          if (!(error instanceof SloError)) throw error;
          throw new SloError({
            code: "delivery",
            message: scrub(error.message),
            hint: error.hint ? scrub(error.hint) : undefined,
          });
        }
        const sentAt = new Date(context.nowMs).toISOString();
        await options.store.record(
          plan.id,
          change.key,
          change.kind === "resolved"
            ? null
            : { severity: change.current.severity, since: change.current.since, sentAt },
        );
        await context.delivered(change);
      }
    },
  };
}

/**
 * The path and query of an incoming webhook are its password: an error shows
 * the URL as the target's display does, and no part of it that a server
 * echoed back.
 */
function scrubberOf(url: string): (text: string) => string {
  let printed: string[];
  let masked: string;
  let parts: string[];
  try {
    const u = new URL(url);
    masked = webhookDisplay(url);
    // the URL as the HTTP helper prints it, and as given
    printed = [...new Set([redactUrl(u.toString()), u.toString(), url])];
    parts = secretPartsOf(u);
  } catch {
    return (text) => text;
  }
  return (text) => {
    let out = text;
    for (const p of printed.sort((a, b) => b.length - a.length)) out = out.split(p).join(masked);
    for (const s of parts) out = out.split(s).join("***");
    return out;
  };
}

/** Shorter echoed parts are left alone: masking "hook" would garble "webhook" in every message. */
const MIN_ECHOED_SECRET = 8;

/** The whole path, each segment and each query value, as given and decoded, longest first. */
function secretPartsOf(u: URL): string[] {
  const path = u.pathname.replace(/^\/+/, "");
  const parts = [path, ...path.split("/"), u.search.slice(1), ...u.searchParams.values()]
    .flatMap((p) => [p, decodeURIComponentSafe(p)])
    .filter((p) => p.length >= MIN_ECHOED_SECRET);
  return [...new Set(parts)].sort((a, b) => b.length - a.length);
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
