/** The source for a source spec: one factory, so the pipeline does not care which. */

import type { SourceSpec } from "../spec/model.js";
import { createLogsSource, type LogsSourceOptions } from "./logs/index.js";
import { createLokiSource } from "./loki.js";
import { createPrometheusSource } from "./prometheus.js";
import type { Source } from "./types.js";

export type SourceOptions = LogsSourceOptions;

export function createSource(spec: SourceSpec, options: SourceOptions = {}): Source {
  switch (spec.type) {
    case "logs":
      return createLogsSource(spec, options);
    case "prometheus":
      return createPrometheusSource(spec);
    case "loki":
      return createLokiSource(spec);
  }
}
