/**
 * A loaded set -> files in another format, one per service. Pure: the CLI
 * reads and writes; this decides names and content.
 */

import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { type SloError, SloErrors, usageError } from "../../errors.js";
import { IMPLICIT_URL } from "../implicit-sources.js";
import { loadSpec } from "../load.js";
import type { ServiceSpec, SloSet } from "../model.js";
import {
  collectDefaults,
  type EnvDefaults,
  markerEnv,
  markerShapes,
  restoreEnvRefs,
} from "./env-refs.js";
import { nativeDocument } from "./native.js";
import { openSloDocuments } from "./openslo.js";
import { planOpenSloNames } from "./openslo-names.js";
import { pyrraDocuments } from "./pyrra.js";
import { mapStrings, renderDocuments } from "./yaml.js";

export const CONVERT_TARGETS = ["native", "openslo", "pyrra"] as const;
export type ConvertTarget = (typeof CONVERT_TARGETS)[number];

export interface ConvertOptions {
  /** the folder the files will be written to (relative log paths are rebased to it) */
  outDir: string;
  defaults: EnvDefaults;
  /** comment lines at the top of every file */
  header: string[];
  /** what the target format leaves out (Pyrra): the CLI prints them */
  warnings?: SloError[];
}

export interface ConvertedFile {
  /** file name, no folder: the service's name */
  name: string;
  text: string;
}

export function fileNameOf(service: string): string {
  const clean = service.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[.-]+/, "");
  return `${clean || "service"}.yaml`;
}

/** One file per service name; throws an SloError for what the target format cannot say. */
export function convertServices(
  services: ServiceSpec[],
  to: ConvertTarget,
  options: ConvertOptions,
): ConvertedFile[] {
  const names = planOpenSloNames(services);
  const byFile = new Map<string, unknown[]>();
  const refused: SloError[] = [];
  const written = new Map<string, string>();
  for (const service of services) {
    const docs = documentsOf(service, to, options, { names, written }, refused);
    const name = fileNameOf(service.service);
    byFile.set(name, [...(byFile.get(name) ?? []), ...docs]);
  }
  // Every SLO Pyrra cannot say, at once: one refusal each.
  if (refused.length > 0) throw new SloErrors(refused);
  return [...byFile].map(([name, docs]) => ({
    name,
    text: renderDocuments(
      docs.map((d) => mapStrings(d, (s) => restoreEnvRefs(s, options.defaults))),
      options.header,
    ),
  }));
}

function documentsOf(
  service: ServiceSpec,
  to: ConvertTarget,
  options: ConvertOptions,
  plan: { names: ReturnType<typeof planOpenSloNames>; written: Map<string, string> },
  refused: SloError[],
): unknown[] {
  if (to === "native") return [nativeDocument(service, options)];
  if (to === "openslo") return openSloDocuments(service, { ...options, names: plan.names });
  const { docs, errors } = pyrraDocuments(service, {
    defaults: options.defaults,
    warnings: options.warnings ?? [],
    written: plan.written,
  });
  refused.push(...errors);
  return docs;
}

/**
 * Load with a marker for every ${VAR}, shaped for where each is used (see
 * env-refs.ts). The first load finds the files; the shapes come from their text.
 */
async function loadWithMarkers(
  paths: string[],
  cwd: string,
): Promise<{ set: SloSet; texts: { file: string; text: string }[]; warnings: SloError[] }> {
  const first = await loadSpec(paths, { env: markerEnv(() => "url"), cwd });
  if (first.errors.some((e) => e.code === "usage")) throw new SloErrors(first.errors);
  const texts = await Promise.all(
    first.set.files.map(async (file) => ({
      file,
      text: await readFile(resolve(cwd, file), "utf8"),
    })),
  );
  if (first.errors.length === 0) return { set: first.set, texts, warnings: first.warnings };
  const shaped = await loadSpec(paths, {
    env: markerEnv(markerShapes(texts.map((t) => t.text))),
    cwd,
  });
  if (shaped.errors.length > 0) throw new SloErrors(shaped.errors);
  return { set: shaped.set, texts, warnings: shaped.warnings };
}

/**
 * Read SLO files in any format slo loads and return them in `to`, one file
 * per service, ready to be written into `outDir`. Needs no environment
 * variable: `${VAR}` references come out as they went in.
 */
export async function convertPaths(
  paths: string[],
  to: ConvertTarget,
  options: { outDir: string; cwd?: string },
): Promise<{ inputs: string[]; files: ConvertedFile[]; warnings: SloError[] }> {
  const cwd = options.cwd ?? process.cwd();
  const { set, texts, warnings } = await loadWithMarkers(paths, cwd);
  if (set.services.every((s) => s.slos.length === 0)) {
    throw usageError(`nothing to convert: no SLO in ${set.files.join(", ")}`);
  }
  const defaults = collectDefaults(texts);
  // Sloth and type-only OpenSLO sources read PROMETHEUS_URL / LOKI_URL with slo's own default.
  for (const [name, fallback] of collectDefaults([
    { file: "(slo)", text: Object.values(IMPLICIT_URL).join("\n") },
  ])) {
    if (!defaults.has(name)) defaults.set(name, fallback);
  }
  const header = [`Converted by slo convert --to ${to} from ${set.files.join(", ")}.`];
  const lost: SloError[] = [];
  const files = convertServices(set.services, to, {
    outDir: resolve(cwd, options.outDir),
    defaults,
    header,
    warnings: lost,
  });
  return {
    inputs: set.files,
    // what the files hold that slo ignores (keys Sloth ignores): it is not in the output either;
    // then what the target format cannot hold (Pyrra)
    warnings: [...warnings, ...lost],
    files,
  };
}
