/**
 * One cache file per log file (named by a hash of the log's absolute path):
 * a versioned header line, then the state as gzipped JSON. It holds counts,
 * hashes and line numbers, never log text but the group and breakdown
 * values a report shows anyway. Written to a temporary file in the same
 * folder and renamed, so two runs at once leave one run's whole file (the
 * last writer's), never a mix. A file that cannot be read back (damaged,
 * cut short, another version, another log's) is reported and ignored.
 */

import { createHash, randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import { z } from "zod";
import { fileErrorReason } from "../../../file-errors.js";
import type { MinuteState } from "../evaluation/minute-tally.js";
import type { FileState } from "./file-state.js";
import { CACHE_FORMAT_VERSION } from "./signature.js";

const HEADER = `slo-tally-cache ${CACHE_FORMAT_VERSION}\n`;

/** How many lines of a kind there were, and the first few's line numbers (never their text). */
export interface CountedLines {
  count: number;
  lines: number[];
}

export interface CachedDiagnostics {
  lines: number;
  malformed: CountedLines;
  tooLong: CountedLines;
  noTimestamp: CountedLines;
}

/** One request's buckets; state null: it passed a cap here, so it is read cold. */
export interface CacheEntry {
  signature: string;
  /** the first bucket whose events were all counted */
  coverFrom: number;
  state: MinuteState | null;
}

export interface CacheData {
  path: string;
  settings: string;
  file: FileState;
  diagnostics: CachedDiagnostics;
  entries: CacheEntry[];
}

/** Where the cache of a log file lives. */
export function cacheFileOf(dir: string, logPath: string): string {
  return join(dir, `${createHash("sha256").update(logPath).digest("hex").slice(0, 40)}.slocache`);
}

/**
 * The cache of a log file: null when there is none (or it is another
 * log's); a note when one is there but cannot be read back.
 */
export async function loadCache(
  file: string,
  logPath: string,
  note: (text: string) => void,
): Promise<CacheData | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch {
    return null;
  }
  const data = decode(bytes);
  if (data === null) {
    note(`the log cache file ${file} is damaged or of another version: ignored, counted again`);
    return null;
  }
  return data.path === logPath ? data : null;
}

/**
 * Write the cache atomically. Resolves to the reason it could not be
 * written, or null.
 */
export async function saveCache(file: string, data: CacheData): Promise<string | null> {
  const dir = join(file, "..");
  const temp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, encode(data));
    await rename(temp, file);
    return null;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    return fileErrorReason(error, "write");
  }
}

export function encode(data: CacheData): Buffer {
  const json = {
    path: data.path,
    settings: data.settings,
    file: data.file,
    diagnostics: data.diagnostics,
    entries: data.entries.map(({ signature, coverFrom, state }) => ({
      signature,
      coverFrom,
      ...(state ? { state: encodeState(state) } : {}),
    })),
  };
  // level 1: a rerun's time goes to writing it back; level 6 saves about a tenth of the size for twice the time
  return Buffer.concat([Buffer.from(HEADER), gzipSync(JSON.stringify(json), { level: 1 })]);
}

export function decode(bytes: Buffer): CacheData | null {
  const header = Buffer.from(HEADER);
  if (bytes.length < header.length || !bytes.subarray(0, header.length).equals(header)) return null;
  try {
    const parsed = fileSchema.safeParse(
      JSON.parse(gunzipSync(bytes.subarray(header.length)).toString()),
    );
    if (!parsed.success) return null;
    const json = parsed.data;
    const entries: CacheEntry[] = [];
    for (const entry of json.entries) {
      const state = entry.state ? decodeState(entry.state) : null;
      if (entry.state && state === null) return null;
      entries.push({ signature: entry.signature, coverFrom: entry.coverFrom, state });
    }
    return { ...json, entries };
  } catch {
    return null;
  }
}

const count = z.number().int().nonnegative();
/** Long arrays of counts, checked in one loop (a schema per element takes a tenth of a second for 60 days of buckets). */
const counts = z.custom<number[]>(
  (value) =>
    Array.isArray(value) &&
    value.every((n) => typeof n === "number" && Number.isInteger(n) && n >= 0),
);
const countedLines = z.object({ count, lines: z.array(count) });
const stateSchema = z.object({
  firstMinute: z.number().int(),
  good: counts,
  total: counts,
  missing: counts.optional(),
  groups: z.array(z.tuple([z.string(), z.array(z.string()), counts, counts])).optional(),
  /** per key: [minute, count, minute, count, ...] */
  breakdown: z.array(z.tuple([z.string(), counts])).optional(),
  droppedFrom: z.number().int().nullable(),
});
const fileSchema = z.object({
  path: z.string(),
  settings: z.string(),
  file: z.object({
    dev: z.number(),
    ino: z.number(),
    size: count,
    mtimeMs: z.number(),
    readTo: count,
    headHash: z.string(),
    tailHash: z.string(),
  }),
  diagnostics: z.object({
    lines: count,
    malformed: countedLines,
    tooLong: countedLines,
    noTimestamp: countedLines,
  }),
  entries: z.array(
    z.object({ signature: z.string(), coverFrom: z.number().int(), state: stateSchema.optional() }),
  ),
});

function encodeState(s: MinuteState): z.infer<typeof stateSchema> {
  return {
    firstMinute: s.firstMinute,
    good: Array.from(s.good),
    total: Array.from(s.total),
    ...(s.missing ? { missing: Array.from(s.missing) } : {}),
    ...(s.groups
      ? {
          groups: [...s.groups].map(
            ([key, g]) => [key, g.values, Array.from(g.good), Array.from(g.total)] as const,
          ) as [string, string[], number[], number[]][],
        }
      : {}),
    ...(s.breakdown
      ? {
          breakdown: [...s.breakdown].map(
            ([key, perMinute]) => [key, [...perMinute].flat()] as [string, number[]],
          ),
        }
      : {}),
    droppedFrom: Number.isFinite(s.droppedFrom) ? s.droppedFrom : null,
  };
}

function decodeState(json: z.infer<typeof stateSchema>): MinuteState | null {
  const length = json.total.length;
  const same = (x: number[]) => x.length === length;
  if (!same(json.good) || (json.missing && !same(json.missing))) return null;
  let groups: MinuteState["groups"] = null;
  if (json.groups) {
    groups = new Map();
    for (const [key, values, good, total] of json.groups) {
      if (!same(good) || !same(total)) return null;
      groups.set(key, { values, good: new Float64Array(good), total: new Float64Array(total) });
    }
  }
  let breakdown: MinuteState["breakdown"] = null;
  let breakdownEntries = 0;
  if (json.breakdown) {
    breakdown = new Map();
    for (const [key, flat] of json.breakdown) {
      if (flat.length % 2 !== 0) return null;
      const perMinute = new Map<number, number>();
      for (let i = 0; i < flat.length; i += 2) perMinute.set(flat[i]!, flat[i + 1]!);
      breakdownEntries += perMinute.size;
      breakdown.set(key, perMinute);
    }
  }
  return {
    firstMinute: json.firstMinute,
    good: new Float64Array(json.good),
    total: new Float64Array(json.total),
    missing: json.missing ? new Float64Array(json.missing) : null,
    groups,
    breakdown,
    breakdownEntries,
    droppedFrom: json.droppedFrom ?? Number.POSITIVE_INFINITY,
    overflow: false,
  };
}
