/**
 * Sloth specs never say where Prometheus is (Prometheus runs Sloth's rules),
 * and an OpenSLO metricSource may name a type without a DataSource. slo then
 * asks the server the environment names, or the well-known local address.
 */

import { DEFAULT_SOURCE } from "../defaults.js";
import { expandString } from "./env.js";
import type { LokiSourceSpec, PrometheusSourceSpec } from "./model.js";

/** As a native file would write it; `slo convert` writes exactly this. */
export const IMPLICIT_URL = {
  prometheus: "${PROMETHEUS_URL:-http://localhost:9090}",
  loki: "${LOKI_URL:-http://localhost:3100}",
} as const;

export function implicitPrometheus(
  name: string,
  env: Record<string, string | undefined>,
): PrometheusSourceSpec {
  return {
    type: "prometheus",
    name,
    url: expandString(IMPLICIT_URL.prometheus, env).value.replace(/\/+$/, ""),
    headers: {},
    ...DEFAULT_SOURCE,
  };
}

export function implicitLoki(
  name: string,
  env: Record<string, string | undefined>,
): LokiSourceSpec {
  return {
    type: "loki",
    name,
    url: expandString(IMPLICIT_URL.loki, env).value.replace(/\/+$/, ""),
    headers: {},
    ...DEFAULT_SOURCE,
  };
}
