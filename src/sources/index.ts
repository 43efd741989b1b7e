/**
 * The source for a source spec: one factory, so the pipeline does not care
 * which. Each kind loads on first use: `slo validate` and a logs-only run
 * never load the HTTP sources.
 */

import type { SourceSpec } from "../definition/model.js";
import type { LogsSourceOptions } from "./logs/index.js";
import type { Source } from "./types.js";

export type SourceOptions = LogsSourceOptions;

export async function createSource(spec: SourceSpec, options: SourceOptions = {}): Promise<Source> {
  switch (spec.type) {
    case "logs":
      return (await import("./logs/index.js")).createLogsSource(spec, options);
    case "prometheus":
      return (await import("./prometheus.js")).createPrometheusSource(spec);
    case "loki":
      return (await import("./loki.js")).createLokiSource(spec);
  }
}
