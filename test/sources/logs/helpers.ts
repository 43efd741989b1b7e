/** Building blocks for the logs source tests: specs, requests and windows around one instant. */

import { join } from "node:path";
import type {
  Indicator,
  LatencyIndicator,
  LogsSourceSpec,
  SloSpec,
} from "../../../src/definition/model.js";
import { SloError } from "../../../src/errors.js";
import { createLogsSource, type LogsSourceOptions } from "../../../src/sources/logs/index.js";
import type {
  CountRequest,
  CountResult,
  SeriesRequest,
  WindowRequest,
} from "../../../src/sources/types.js";

export const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "logs");

/** The instant the fixtures are counted at. */
export const T = Date.parse("2026-11-24T12:00:00Z");
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function window(key: string, lengthMs: number, endMs = T): WindowRequest {
  return { key, startMs: endMs - lengthMs, endMs };
}

export const WINDOWS: WindowRequest[] = [
  window("5m", 5 * MINUTE),
  window("1h", HOUR),
  window("1d", DAY),
];

export function logsSpec(paths: string[], overrides: Partial<LogsSourceSpec> = {}): LogsSourceSpec {
  return {
    type: "logs",
    name: "logs",
    paths,
    timestamp: "t",
    labels: { app: "ctrl" },
    baseDir: FIXTURES,
    ...overrides,
  };
}

export function slo(name: string, indicator: Indicator): SloSpec {
  return {
    service: "ctrl",
    name,
    labels: {},
    objective: 0.99,
    window: { kind: "rolling", durationMs: DAY, label: "1d" },
    budgetingMethod: "occurrences",
    indicator,
    alerting: {
      minEvents: 10,
      windows: [],
      page: { disable: false, labels: {}, annotations: {} },
      ticket: { disable: false, labels: {}, annotations: {} },
    },
    gate: { enabled: true, minRemaining: 0, warnRemaining: 0.25 },
    notify: [],
    at: { file: "slo.yaml", line: 3, col: 5 },
  };
}

export function ratio(queries: { total: string; bad?: string; good?: string }): Indicator {
  return { kind: "ratio", source: "logs", ...queries };
}

export function latency(
  events: string,
  field: string,
  threshold: number,
  unit: "ns" | "us" | "ms" | "s" = "ms",
): LatencyIndicator {
  return {
    kind: "latency",
    source: "logs",
    events,
    field,
    unit,
    threshold,
    thresholdText: `${threshold}${unit}`,
  };
}

export function request(
  indicator: Indicator,
  extra: {
    windows?: WindowRequest[];
    series?: SeriesRequest[];
    breakdown?: { by: string; limit: number };
  } = {},
): CountRequest {
  return {
    slo: slo("test", indicator),
    windows: extra.windows ?? WINDOWS,
    series: extra.series ?? [],
    breakdown: extra.breakdown,
  };
}

export async function countAll(
  spec: LogsSourceSpec,
  requests: CountRequest[],
  options?: LogsSourceOptions,
): Promise<(CountResult | SloError)[]> {
  return createLogsSource(spec, options).count(requests);
}

/** Count one request and insist it succeeded. */
export async function countOne(
  spec: LogsSourceSpec,
  req: CountRequest,
  options?: LogsSourceOptions,
): Promise<CountResult> {
  const [result] = await countAll(spec, [req], options);
  if (result instanceof SloError) throw new Error(`unexpected error: ${result.format()}`);
  return result!;
}

export async function countError(spec: LogsSourceSpec, req: CountRequest): Promise<SloError> {
  const [result] = await countAll(spec, [req]);
  if (!(result instanceof SloError)) throw new Error("expected an error");
  return result;
}

/** The windows as {key: [good, total]}, compact to compare. */
export function pairs(result: CountResult): Record<string, [number, number]> {
  return Object.fromEntries(
    Object.entries(result.windows).map(([k, c]) => [k, [c.good, c.total] as [number, number]]),
  );
}
