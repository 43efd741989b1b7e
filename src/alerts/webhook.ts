/**
 * A Slack-compatible incoming webhook (Slack, Mattermost, Rocket.Chat,
 * Discord's /slack endpoint): one message per change, never one per run.
 * A webhook cannot be asked what it was told, so the state file remembers,
 * one delivery at a time.
 */

import { SloError } from "../errors.js";
import { createHttpClient, splitLastSegment } from "../http/client.js";
import type { Notifier, TargetChange } from "./notify-targets.js";
import type { AlertStateStore } from "./state-file.js";
import type { AlertSubject } from "./subjects.js";
import type { TargetPlan } from "./targets.js";
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
export function webhookMessage(change: TargetChange, subject: AlertSubject): string {
  const name = `*${escapeSlack(subject.slo.service)} / ${escapeSlack(subject.slo.name)}*`;
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
    label: "webhook",
    url: base,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    errorCode: "delivery",
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const secretParts = secretPartsOf(plan.url ?? "");
  const scrub = (text: string) => secretParts.reduce((t, s) => t.split(s).join("***"), text);
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
            json: { text: webhookMessage(change, subject) },
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

/** The helper joins a base and a path: keep the URL exactly as given (no trailing slash added). */
/** The path of an incoming webhook is its password: never print it, whole or in part. */
function secretPartsOf(url: string): string[] {
  try {
    const segments = new URL(url).pathname.split("/").filter(Boolean);
    const secret = segments.slice(1).join("/");
    if (!secret) return [];
    // The whole secret path first, then each long segment on its own (a server may echo one).
    const parts = [secret, encodeURI(secret), ...segments.slice(1).filter((s) => s.length >= 8)];
    return [...new Set(parts)].sort((a, b) => b.length - a.length);
  } catch {
    return [];
  }
}
