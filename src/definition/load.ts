/**
 * Load SLO files (one file, a folder, several of each) into one SloSet.
 * Every problem in every file is collected: `slo validate` shows them all.
 */

import { resolve } from "node:path";
import { type SloError, specError } from "../errors.js";
import { expandEnvInDocument } from "./env.js";
import { detectFormat, type FormatDocument, type FormatLoader, nativeFormat } from "./formats.js";
import type { ServiceSpec, SloSet } from "./model.js";
import { opensloFormat } from "./openslo/index.js";
import { pyrraFormat } from "./pyrra/index.js";
import { displayPath, fileError, findSloFiles, readSloFile } from "./slo-files.js";
import { slothFormat } from "./sloth.js";
import { type Detected, detectDocuments } from "./top-level.js";
import { parseYamlFile, plainValueOf, type YamlDocument, type YamlPath } from "./yaml-source.js";

export interface LoadOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** the foreign formats to recognise (default: OpenSLO, Sloth and Pyrra); native is always the fallback */
  formats?: FormatLoader[];
}

/** OpenSLO, Sloth and Pyrra files load as they are. */
export const DEFAULT_FORMATS: FormatLoader[] = [opensloFormat, slothFormat, pyrraFormat];

type FormatGroups = Map<FormatLoader, FormatDocument[]>;

export interface LoadResult {
  set: SloSet;
  errors: SloError[];
  /** what loads but deserves a look (keys a format ignores): for stderr, never the report */
  warnings: SloError[];
}

export async function loadSpec(paths: string[], options: LoadOptions = {}): Promise<LoadResult> {
  const cwd = options.cwd ?? process.cwd();
  const found = await findSloFiles(paths, cwd);
  const texts: SloFileTextAt[] = [];
  const errors = [...found.errors];
  for (const absolute of found.files) {
    const read = await readSloFile(absolute);
    if ("problem" in read) errors.push(fileError(cwd, absolute, read.problem, read.hint));
    texts.push({ file: displayPath(cwd, absolute), text: "text" in read ? read.text : null });
  }
  return loadTexts(texts, errors, options);
}

/** One SLO file as loaded: its name as shown (relative to cwd), its text (null: it could not be read). */
export interface SloFileTextAt {
  file: string;
  text: string | null;
}

/**
 * Load SLO files already read (from disk, or from a commit by
 * `git-slo-files.ts`), given with the errors found reading them. Relative
 * paths in the files resolve against `cwd` and each file's folder.
 */
export function loadTexts(
  texts: SloFileTextAt[],
  readErrors: SloError[],
  options: LoadOptions = {},
): LoadResult {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const displayed = texts.map((t) => t.file);
  // Documents of every file are loaded together, per format: OpenSLO
  // documents refer to each other across files (an SLO here, its SLI there).
  const parsed = parseFiles(texts, env, options.formats ?? DEFAULT_FORMATS);
  const loaded = loadGroups(parsed.groups, env);
  const errors = inFileOrder([...readErrors, ...parsed.errors, ...loaded.errors], displayed);
  const order = fileOrder(displayed);
  const services = loaded.services.sort((a, b) => order(a.file) - order(b.file));
  for (const service of services) resolveBaseDirs(service, cwd);
  errors.push(...checkAcrossFiles(services));
  const warnings = inFileOrder(loaded.warnings, displayed);
  return { set: { files: displayed, services }, errors, warnings };
}

function parseFiles(
  texts: SloFileTextAt[],
  env: Record<string, string | undefined>,
  formats: FormatLoader[],
): { groups: FormatGroups; errors: SloError[] } {
  const groups: FormatGroups = new Map();
  const errors: SloError[] = [];
  for (const { file, text } of texts) {
    if (text === null) continue;
    const parsed = parseText(file, text, env, formats);
    errors.push(...parsed.errors);
    for (const [format, documents] of parsed.groups) {
      groups.set(format, [...(groups.get(format) ?? []), ...documents]);
    }
  }
  return { groups, errors };
}

/** A file's place among those loaded; what belongs to no file (a usage error) comes first. */
function fileOrder(files: string[]): (file: string | undefined) => number {
  return (file) => (file === undefined ? -1 : files.indexOf(file));
}

/** Back in file order, whatever the format, and in each file from top to bottom. */
function inFileOrder(errors: SloError[], files: string[]): SloError[] {
  const order = fileOrder(files);
  return errors.sort(
    (a, b) =>
      order(a.file) - order(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0),
  );
}

/** Sources resolve relative paths against the file that defines them. */
function resolveBaseDirs(service: ServiceSpec, cwd: string): void {
  for (const source of Object.values(service.sources)) {
    if (source.type === "logs") source.baseDir = resolve(cwd, source.baseDir);
  }
}

/** Load one file's text; exported for tests and for stdin. */
export function loadText(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
  formats: FormatLoader[] = DEFAULT_FORMATS,
): { services: ServiceSpec[]; errors: SloError[]; warnings: SloError[] } {
  const parsed = parseText(file, text, env, formats);
  const loaded = loadGroups(parsed.groups, env);
  return {
    services: loaded.services,
    errors: [...parsed.errors, ...loaded.errors],
    warnings: loaded.warnings,
  };
}

/** Parse one file and sort its documents by format; nothing is mapped yet. */
function parseText(
  file: string,
  text: string,
  env: Record<string, string | undefined>,
  formats: FormatLoader[],
): { groups: FormatGroups; errors: SloError[] } {
  const byFormat: FormatGroups = new Map();
  const { docs, errors } = parseYamlFile(file, text);
  if (errors.length > 0) return { groups: byFormat, errors };
  if (docs.length === 0) {
    return {
      groups: byFormat,
      errors: [specError("empty file: expected an SLO definition", { file, line: 1, col: 1 })],
    };
  }
  // The foreign formats say what they are (apiVersion, version); native is what is left.
  const all = [...formats, nativeFormat];
  const out: SloError[] = [];
  for (const ydoc of docs) {
    const found = documentsOf(ydoc, env, all);
    out.push(...found.errors);
    for (const { format, document } of found.documents) {
      const list = byFormat.get(format) ?? [];
      list.push(document);
      byFormat.set(format, list);
    }
  }
  return { groups: byFormat, errors: out };
}

/**
 * A document with its environment variables expanded, and the format each
 * object in it says it is in (a document may be a list of objects).
 */
function documentsOf(
  ydoc: YamlDocument,
  env: Record<string, string | undefined>,
  formats: FormatLoader[],
): Detected {
  const written = plainValueOf(ydoc);
  if ("errors" in written) return { documents: [], errors: written.errors };
  const envErrors = expandEnvInDocument(ydoc, env, unreadPaths(written.value, formats));
  const plain = plainValueOf(ydoc);
  if ("errors" in plain) return { documents: [], errors: plain.errors };
  const detected = detectDocuments(ydoc, plain.value, formats);
  if (envErrors.length === 0) return detected;
  // Its errors are told; its loader only learns what it names, so no reference to it reads as missing.
  const failed = detected.documents.map(({ format, document }) => ({
    format,
    document: { ...document, failed: true },
  }));
  return { documents: failed, errors: envErrors };
}

/** Where each object of the document holds what its format never reads (a list's items in turn). */
function unreadPaths(value: unknown, formats: FormatLoader[]): YamlPath[] {
  const items: [unknown, YamlPath][] = Array.isArray(value)
    ? value.map((item, i) => [item, [i]])
    : [[value, []]];
  return items.flatMap(([item, base]) =>
    (detectFormat(item, formats)?.unexpanded?.(item) ?? []).map((path) => [...base, ...path]),
  );
}

function loadGroups(
  groups: FormatGroups,
  env: Record<string, string | undefined>,
): { services: ServiceSpec[]; errors: SloError[]; warnings: SloError[] } {
  const services: ServiceSpec[] = [];
  const errors: SloError[] = [];
  const warnings: SloError[] = [];
  for (const [format, documents] of groups) {
    const failed = documents.filter((d) => d.failed);
    const result = format.load(
      documents.filter((d) => !d.failed),
      { env, failed },
    );
    errors.push(...result.errors);
    warnings.push(...(result.warnings ?? []));
    services.push(...result.services);
  }
  return { services, errors, warnings };
}

function checkAcrossFiles(services: ServiceSpec[]): SloError[] {
  const errors: SloError[] = [];
  const seen = new Map<string, string>();
  for (const service of services) {
    for (const slo of service.slos) {
      const key = `${slo.service}/${slo.name}`;
      const first = seen.get(key);
      if (first) {
        errors.push(
          specError(
            `duplicate SLO '${slo.name}' in service '${slo.service}' (also in ${first})`,
            slo.at,
          ),
        );
      } else {
        seen.set(key, `${slo.at.file}:${slo.at.line}`);
      }
    }
  }
  return errors;
}
