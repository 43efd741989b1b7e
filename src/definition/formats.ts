/**
 * One loader per input format: detect, load, map to the one model. The
 * native format is built in; OpenSLO and Sloth register the same way.
 */

import type { SloError } from "../errors.js";
import type { ServiceSpec } from "./model.js";
import { normalizeNativeFile } from "./normalize.js";
import type { YamlDocument, YamlPath } from "./yaml-source.js";

export interface FormatDocument {
  ydoc: YamlDocument;
  value: unknown;
  /** its errors are already told (an unset variable): not loaded, only known to exist */
  failed?: boolean;
}

/** What a loader may need beyond the documents: Sloth's Prometheus URL comes from the environment. */
export interface FormatContext {
  env: Record<string, string | undefined>;
  /** documents of this format that failed before loading: what they name exists, so no reference to it is missing */
  failed?: FormatDocument[];
}

export interface FormatLoader {
  name: string;
  detect(value: unknown): boolean;
  /** where an object holds what slo never reads: its `${VAR}`s stay as written */
  unexpanded?(value: unknown): YamlPath[];
  /**
   * All documents in this format, from every file loaded together (OpenSLO
   * documents refer to each other across files).
   */
  load(
    documents: FormatDocument[],
    context?: FormatContext,
  ): { services: ServiceSpec[]; errors: SloError[]; warnings?: SloError[] };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export const nativeFormat: FormatLoader = {
  name: "native",
  detect: (value) =>
    isRecord(value) && ("service" in value || "slos" in value) && !("apiVersion" in value),
  load(documents) {
    const services: ServiceSpec[] = [];
    const errors: SloError[] = [];
    for (const { ydoc, value } of documents) {
      const result = normalizeNativeFile(ydoc, value);
      errors.push(...result.errors);
      if (result.service) services.push(result.service);
    }
    return { services, errors };
  },
};

export function detectFormat(value: unknown, formats: FormatLoader[]): FormatLoader | undefined {
  return formats.find((f) => f.detect(value));
}
