/**
 * Where each SLO's alerts go: the `notify:` targets of the SLO files, with
 * the command line's targets replacing the files' targets of the same type.
 * SLOs that share a target (the same Alertmanager, the same webhook URL)
 * share one notifier, so a run sends one request per target, not per SLO.
 */

import { createHash } from "node:crypto";
import type { NotifyTarget } from "../definition/model.js";
import { redactUrl } from "../http/client.js";
import type { AlertSubject, Severity } from "./subjects.js";

export type TargetType = NotifyTarget["type"];

export interface Route {
  subject: AlertSubject;
  /** the severities this target receives for this SLO */
  severities: Severity[];
}

export interface TargetPlan {
  /** stable and free of secrets: the key of the state file */
  id: string;
  type: TargetType;
  url?: string | undefined;
  /** the name the user gave the target, if any */
  name?: string | undefined;
  /** safe to print: no credentials, no webhook token */
  display: string;
  routes: Route[];
}

/**
 * The targets of every subject. `overrides` (from flags) replace, per type,
 * whatever the files declare of that type.
 */
export function planTargets(
  subjects: readonly AlertSubject[],
  overrides: readonly NotifyTarget[] = [],
): TargetPlan[] {
  const overridden = new Set(overrides.map((o) => o.type));
  const plans = new Map<string, TargetPlan>();
  for (const subject of subjects) {
    const targets = [...subject.slo.notify.filter((t) => !overridden.has(t.type)), ...overrides];
    for (const target of targets) {
      const id = targetId(target);
      const plan = plans.get(id) ?? {
        id,
        type: target.type,
        url: target.url,
        name: target.name,
        display: displayOf(target),
        routes: [],
      };
      const route = plan.routes.find((r) => r.subject === subject);
      if (route) {
        for (const s of target.severities)
          if (!route.severities.includes(s)) route.severities.push(s);
      } else {
        plan.routes.push({ subject, severities: [...target.severities] });
      }
      plans.set(id, plan);
    }
  }
  return [...plans.values()];
}

export function targetId(target: Pick<NotifyTarget, "type" | "url">): string {
  if (!target.url) return target.type;
  // A webhook URL is a secret (Slack's holds the token): the state file keeps a digest.
  const digest = createHash("sha256").update(target.url).digest("hex").slice(0, 16);
  return `${target.type}:${digest}`;
}

function displayOf(target: NotifyTarget): string {
  switch (target.type) {
    case "alertmanager":
      return `alertmanager ${target.name ?? (target.url ? redactUrl(target.url) : "(no url)")}`;
    case "webhook":
      return `webhook ${target.name ?? (target.url ? webhookDisplay(target.url) : "(no url)")}`;
    case "github-issue":
      return "GitHub issues";
  }
}

/**
 * `https://hooks.slack.com/***`: an incoming webhook's password may be any
 * part of its path (`https://host/SECRET` has nothing else) or of its query,
 * so only the scheme and host are shown.
 */
export function webhookDisplay(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.replace(/^\/+/, "") ? "/***" : "/";
    return `${u.protocol}//${u.host}${path}${u.search ? "?***" : ""}`;
  } catch {
    return "***";
  }
}

/** The target types a run will use, known before any source is read. */
export function declaredTypes(
  slos: readonly { notify: readonly NotifyTarget[] }[],
  overrides: readonly NotifyTarget[] = [],
): Set<TargetType> {
  const overridden = new Set(overrides.map((o) => o.type));
  const types = new Set<TargetType>(overridden);
  for (const slo of slos)
    for (const t of slo.notify) if (!overridden.has(t.type)) types.add(t.type);
  return types;
}
