/**
 * The default multi-window multi-burn-rate policy: the SRE workbook's three
 * tiers plus Sloth's fourth. Data, not code: an SLO may replace the table.
 */

import { DAY_MS, HOUR_MS, MINUTE_MS } from "./duration.js";
import type { BurnRateWindow } from "./model.js";

export const DEFAULT_BURN_RATE_WINDOWS: BurnRateWindow[] = [
  {
    severity: "page",
    long: "1h",
    short: "5m",
    longMs: HOUR_MS,
    shortMs: 5 * MINUTE_MS,
    share: 0.02,
  },
  {
    severity: "page",
    long: "6h",
    short: "30m",
    longMs: 6 * HOUR_MS,
    shortMs: 30 * MINUTE_MS,
    share: 0.05,
  },
  { severity: "ticket", long: "1d", short: "2h", longMs: DAY_MS, shortMs: 2 * HOUR_MS, share: 0.1 },
  {
    severity: "ticket",
    long: "3d",
    short: "6h",
    longMs: 3 * DAY_MS,
    shortMs: 6 * HOUR_MS,
    share: 0.1,
  },
];
