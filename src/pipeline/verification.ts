/**
 * `slo verify` for one SLO: the windows its request gains (the after window
 * and one or two baselines), and from their counts the engine's judgement
 * as the report's `verification`.
 */

import { DAY_MS, formatDuration } from "../definition/duration.js";
import type { Deploy, SloSpec } from "../definition/model.js";
import { NO_EVENTS } from "../engine/budget.js";
import { compareDeploy, type DeployComparison, worseOf } from "../engine/deploy-verdict.js";
import { usageError } from "../errors.js";
import type { ReportComparison, ReportVerification } from "../report/schema.js";
import type { CountResult, WindowRequest } from "../sources/types.js";
import { compared, deployRef } from "./deploy-windows.js";
import type { Baseline } from "./verify-types.js";

const WEEK_MS = 7 * DAY_MS;

export interface VerifySettings {
  /** the after window: (deploy, deploy + forMs], cut at now; absent: (deploy, now] */
  forMs?: number | undefined;
  baseline: Baseline;
  confidence: number;
  minBurn: number;
  minIncrease: number;
}

type BaselineKind = ReportComparison["baseline"];

interface VerifyWindow {
  key: string;
  startMs: number;
  endMs: number;
}

export interface VerifyPlan {
  deploy: Deploy;
  after: VerifyWindow;
  baselines: { kind: BaselineKind; window: VerifyWindow }[];
}

/** The after window ends at now or after `forMs`; each baseline is as long, before the deploy or a week earlier. */
export function planVerification(
  deploy: Deploy,
  atMs: number,
  settings: VerifySettings,
): VerifyPlan {
  const endMs = Math.min(atMs, settings.forMs === undefined ? atMs : deploy.atMs + settings.forMs);
  const lengthMs = Math.max(0, endMs - deploy.atMs);
  const kinds: BaselineKind[] =
    settings.baseline === "both" ? ["before", "week"] : [settings.baseline];
  if (kinds.includes("week") && lengthMs > WEEK_MS)
    throw usageError(
      `--baseline ${settings.baseline}: the after window (${formatDuration(lengthMs)} since ${deploy.version}) is longer than a week, so the week before it would overlap it`,
      "judge the first week after the deploy with --for 7d, or use --baseline before",
    );
  return {
    deploy,
    after: { key: "verify:after", startMs: deploy.atMs, endMs },
    baselines: kinds.map((kind) => {
      const end = kind === "before" ? deploy.atMs : deploy.atMs - WEEK_MS + lengthMs;
      return { kind, window: { key: `verify:${kind}`, startMs: end - lengthMs, endMs: end } };
    }),
  };
}

/** The windows to count; none of no length (a deploy at this very instant has no after yet). */
export function verifyWindows(plan: VerifyPlan): WindowRequest[] {
  return [plan.after, ...plan.baselines.map((b) => b.window)].filter((w) => w.endMs > w.startMs);
}

export function verificationOf(
  slo: SloSpec,
  plan: VerifyPlan,
  result: CountResult,
  settings: VerifySettings,
): ReportVerification {
  const judged = plan.baselines.map(({ kind, window }) => {
    const judgement = compareDeploy({
      objective: slo.objective,
      baseline: result.windows[window.key] ?? NO_EVENTS,
      after: result.windows[plan.after.key] ?? NO_EVENTS,
      confidence: settings.confidence,
      minBurn: settings.minBurn,
      minIncrease: settings.minIncrease,
      minEvents: slo.alerting.minEvents,
      // both windows are as long as the time since the deploy: waiting grows the baseline too
      baselineGrows: true,
      baselineName: kind === "week" ? "a week earlier" : "before",
    });
    return { kind, window, judgement };
  });
  const comparisons = judged.map(({ kind, window, judgement }) =>
    comparisonOf(slo, plan, result, kind, window, judgement),
  );
  const worst = judged.map((j) => j.judgement).reduce((a, b) => worseOf(a, b));
  return {
    deploy: deployRef(plan.deploy),
    verdict: worst.verdict,
    reason: worst.reason,
    comparisons,
  };
}

function comparisonOf(
  slo: SloSpec,
  plan: VerifyPlan,
  result: CountResult,
  kind: BaselineKind,
  window: VerifyWindow,
  judgement: DeployComparison,
): ReportComparison {
  return {
    baseline: kind,
    baselineWindow: compared(slo, result, window.key, window.startMs, window.endMs),
    afterWindow: compared(slo, result, plan.after.key, plan.after.startMs, plan.after.endMs),
    pValue: judgement.pValue,
    verdict: judgement.verdict,
    reason: judgement.reason,
    eventsNeeded: judgement.eventsNeeded,
  };
}
