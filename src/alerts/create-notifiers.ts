/** One notifier per planned target, of the target's type. */

import { createAlertmanagerNotifier } from "./alertmanager.js";
import { createGitHubIssueNotifier } from "./github-issue.js";
import type { IssueApi } from "./issue-api.js";
import type { Notifier } from "./notify-targets.js";
import type { AlertStateStore } from "./state-file.js";
import type { TargetPlan } from "./targets.js";
import { createWebhookNotifier } from "./webhook.js";

export interface NotifiersOptions {
  store: AlertStateStore;
  /** called once, when a plan has a GitHub issue target */
  issueApi: () => IssueApi;
  timeoutMs: number;
  retries: number;
  alertmanagerTtlMs: number;
  generatorUrl?: string | undefined;
  backoff?: { initialMs: number; maxMs: number };
}

export function createNotifiers(
  plans: readonly TargetPlan[],
  options: NotifiersOptions,
): Notifier[] {
  let api: IssueApi | undefined;
  const common = {
    timeoutMs: options.timeoutMs,
    retries: options.retries,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  };
  return plans.map((plan): Notifier => {
    if (plan.type === "alertmanager") {
      return createAlertmanagerNotifier(plan, {
        ...common,
        ttlMs: options.alertmanagerTtlMs,
        generatorUrl: options.generatorUrl,
      });
    }
    if (plan.type === "webhook")
      return createWebhookNotifier(plan, { ...common, store: options.store });
    api ??= options.issueApi();
    return createGitHubIssueNotifier(plan, api);
  });
}
