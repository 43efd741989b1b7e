/** SloSpec values built literally, for source tests that run before any loader. */

import { DEFAULT_BURN_RATE_WINDOWS } from "../../src/defaults.js";
import type { Indicator, SloSpec } from "../../src/definition/model.js";

export function sloSpec(
  name: string,
  indicator: Indicator,
  overrides: Partial<SloSpec> = {},
): SloSpec {
  return {
    service: "ctrl",
    name,
    labels: {},
    objective: 0.999,
    window: { kind: "rolling", durationMs: 30 * 86_400_000, label: "30d" },
    budgetingMethod: "occurrences",
    indicator,
    alerting: {
      minEvents: 10,
      windows: DEFAULT_BURN_RATE_WINDOWS,
      page: { disable: false, labels: {}, annotations: {} },
      ticket: { disable: false, labels: {}, annotations: {} },
    },
    gate: { enabled: true, minRemaining: 0, warnRemaining: 0.25 },
    notify: [],
    at: { file: "test.yaml", line: 1, col: 1 },
    ...overrides,
  };
}

/** The windows `slo check` asks for: every alert window, and the SLO's own. */
export function standardWindows(atMs: number, sloWindowMs = 30 * 86_400_000) {
  const lengths: [string, number][] = [
    ["5m", 5 * 60_000],
    ["30m", 30 * 60_000],
    ["1h", 3_600_000],
    ["2h", 2 * 3_600_000],
    ["6h", 6 * 3_600_000],
    ["1d", 86_400_000],
    ["3d", 3 * 86_400_000],
    ["30d", sloWindowMs],
  ];
  return lengths.map(([key, ms]) => ({ key, startMs: atMs - ms, endMs: atMs }));
}
