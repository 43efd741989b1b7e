/**
 * One loader per input format: detect, load, map to the one model. The
 * native format is built in; OpenSLO and Sloth register the same way.
 */

import type { SloError } from "../errors.js";
import type { ServiceSpec } from "./model.js";
import { normalizeNativeFile } from "./normalize.js";
import type { YamlDocument } from "./yaml-source.js";

export interface FormatDocument {
  ydoc: YamlDocument;
  value: unknown;
}

export interface FormatLoader {
  name: string;
  detect(value: unknown): boolean;
  /** all documents of one file in this format (OpenSLO files hold several) */
  load(documents: FormatDocument[]): { services: ServiceSpec[]; errors: SloError[] };
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
