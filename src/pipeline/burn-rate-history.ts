/** The report's burn-rate series, from the alert history's buckets (slo report only). */

import { formatDuration } from "../definition/duration.js";
import type { SloSpec } from "../definition/model.js";
import { burnRateHistoryOf } from "../engine/burn-rate-history.js";
import { MAX_BURN_RATE_POINTS } from "../limits.js";
import type { SloReportEntry } from "../report/schema.js";
import type { CountResult } from "../sources/types.js";
import type { SloPlan } from "./requests.js";
import { rulesOverBuckets } from "./trend-and-history.js";

const iso = (ms: number) => new Date(ms).toISOString();

export function burnRateHistoryFor(
  slo: SloSpec,
  plan: SloPlan,
  result: CountResult,
): SloReportEntry["burnRateHistory"] {
  const over = rulesOverBuckets(slo, plan, result);
  if (!over) return undefined;
  const history = burnRateHistoryOf({ ...over, maxPoints: MAX_BURN_RATE_POINTS });
  if (!history) return undefined;
  return {
    since: iso(history.sinceMs),
    step: formatDuration(history.stepMs),
    windows: history.lines.map((line) => ({
      window: line.window,
      thresholds: line.thresholds,
      points: line.points.map((p) => ({ t: iso(p.atMs), burnRate: p.burnRate })),
    })),
  };
}
