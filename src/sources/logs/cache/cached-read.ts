/**
 * A read through the tally cache: per log file, what an earlier run counted
 * (minute buckets per request, how far it read, the lines' diagnostics) is
 * loaded, checked against the file now (file-state.ts), and only what is
 * new is read: a file that grew from where the last run stopped, a request
 * the cache has no buckets for from the start, a changed file wholly. The
 * buckets of each file then give each request's windows, series, groups,
 * breakdown and corrections exactly as a cold read would (minute-tally.ts),
 * and each file's cache is written back.
 *
 * A request is cached only when all its edges are whole minutes; one that
 * passes a cap, or that the cache cannot answer (events past the buckets
 * kept), is left for a cold read (its tally null).
 */

import { MINUTE_MS } from "../../../definition/duration.js";
import type { LogsSourceSpec } from "../../../definition/model.js";
import { CACHE_FUTURE_MS, MAX_CACHE_CELLS } from "../../../limits.js";
import type { CountRequest, LineSample } from "../../types.js";
import { emptyDiagnostics, MAX_SAMPLES, type ScanDiagnostics } from "../evaluation/evaluator.js";
import {
  addMinuteStates,
  dropBefore,
  emptyMinuteState,
  fitsPlan,
  type MinuteState,
  onWholeMinutes,
  tallyStateOf,
  withinCaps,
} from "../evaluation/minute-tally.js";
import type { RequestPlan } from "../evaluation/request-plan.js";
import { Tally } from "../evaluation/tally.js";
import type { JobResult, LogJob, ReadDiagnostics } from "../parallel/jobs.js";
import type { LogInput } from "../reading/inputs.js";
import {
  type CacheData,
  type CachedDiagnostics,
  type CacheEntry,
  type CountedLines,
  cacheFileOf,
  loadCache,
  saveCache,
} from "./cache-file.js";
import { changeOf, type FileChange, type FileState, fileStateOf } from "./file-state.js";
import { settingsSignature, sharedSignatures } from "./signature.js";

export interface LogCacheOptions {
  /** the folder of the cache files */
  dir: string;
  /** slo's version: a cache written by another is not used */
  sloVersion: string;
  /** one-line notes for the user (a damaged cache file, an unwritable folder) */
  note?: ((text: string) => void) | undefined;
  /** how each log file was read: for tests and diagnostics */
  onFile?: ((read: FileRead) => void) | undefined;
}

export interface FileRead {
  path: string;
  change: FileChange | "new";
  /** where the read of every cached request started (0: the whole file) */
  from: number;
  /** requests read from the start of an unchanged or grown file, the cache having none of their buckets */
  refilled: number;
}

export interface CachedReadInput {
  spec: LogsSourceSpec;
  inputs: LogInput[];
  plans: RequestPlan[];
  requests: CountRequest[];
}

/** Runs jobs over some of the read's plans (by index); each result by its job's index. */
export type JobRunner = (
  plans: number[],
  jobs: LogJob[],
  onResult: (job: number, result: JobResult) => void,
) => Promise<void>;

export interface CachedReadResult {
  /** per plan: its counts, or null when it is to be read cold */
  tallies: (Tally | null)[];
  diagnostics: ReadDiagnostics;
}

type Role = "refill" | "new" | "tail";

interface FilePlan {
  input: Extract<LogInput, { kind: "file" }>;
  cacheFile: string;
  cached: CacheData | null;
  now: FileState;
  change: FileChange | "new";
  /** the cached entries this run uses, by plan */
  usable: Map<number, CacheEntry>;
  /** counted this run, by plan: what the cache keeps (refill + new) and what it does not (tail) */
  saved: Map<number, MinuteState>;
  tail: Map<number, MinuteState>;
  /** the cached buckets and this run's added up, once per plan */
  merged: Map<number, MinuteState>;
  /** those and the unkept last line's, once per plan: what the plans sharing them count */
  answered: Map<number, MinuteState>;
  diagnostics: { role: Role; seq: number; result: ScanDiagnostics }[];
  damage: { offset: number; reason: string; lines: number } | null;
}

/**
 * Count the read's cacheable requests through the cache; null when none is
 * (stdin, or no request on whole minutes): the caller reads cold.
 */
export async function cachedRead(
  read: CachedReadInput,
  cache: LogCacheOptions,
  runJobs: JobRunner,
  rangeBytes: number,
): Promise<CachedReadResult | null> {
  const { spec, plans, requests } = read;
  if (read.inputs.some((i) => i.kind !== "file")) return null;
  const inputs = read.inputs as Extract<LogInput, { kind: "file" }>[];
  const settings = settingsSignature(spec, cache.sloVersion);
  const { signatures, shares } = sharedSignatures(
    requests,
    plans,
    plans.map(onWholeMinutes),
    settings,
  );
  // one request off the minute (a series step of 14.4 minutes) needs a cold read of every
  // file anyway: then all are read cold, in that one read, and the cache is left as it is
  if (signatures.some((s) => s === null)) return null;
  const note = cache.note ?? (() => {});
  const files = await Promise.all(inputs.map((input) => prepareFile(input, cache, settings, note)));

  // a request that passed a cap in a file the cache still knows is read cold, not tried again
  const overflowed = new Set<number>();
  for (const file of files) {
    if (file.change === "changed" || file.change === "new") continue;
    for (const entry of file.cached!.entries) {
      const i = signatures.indexOf(entry.signature);
      if (entry.state === null && i >= 0) overflowed.add(shares[i]!);
    }
  }
  // the plans whose buckets are counted: one per signature
  const cached = plans.flatMap((_, i) =>
    signatures[i] !== null && shares[i] === i && !overflowed.has(i) ? [i] : [],
  );
  if (cached.length === 0) return null;

  // each set of buckets must hold what every plan counting from it needs (an SLO's
  // previous window, another SLO of the same queries and a longer window), not its owner's alone
  const reach = plans.map((_, i) => reachOf(i, plans, signatures, shares));
  const span = {
    fromMs: Math.min(...cached.map((i) => reach[i]!.fromMs)),
    toMs: Math.max(...cached.map((i) => reach[i]!.toMs)) + CACHE_FUTURE_MS,
  };
  const fromMinute = span.fromMs / MINUTE_MS + 1;
  // more buckets than a request may hold: none would be cached
  if ((span.toMs - span.fromMs) / MINUTE_MS > MAX_CACHE_CELLS) return null;
  for (const file of files) findUsable(file, cached, plans, signatures, reach);

  await runFileJobs(files, cached, span, rangeBytes, runJobs);

  const tallies: (Tally | null)[] = plans.map(() => null);
  plans.forEach((plan, i) => {
    const shared = shares[i]!;
    if (!cached.includes(shared)) return;
    const tally = answerOf(plan, shared, files, fromMinute);
    if (tally === "overflow") overflowed.add(shared);
    else tallies[i] = tally;
  });
  // a plan whose shared buckets passed a cap for another plan is read cold too
  plans.forEach((_, i) => {
    if (overflowed.has(shares[i]!)) tallies[i] = null;
  });
  await saveAll(
    files,
    { plans, signatures, shares, cached, overflowed, fromMinute, settings },
    cache,
    note,
  );
  for (const file of files) {
    cache.onFile?.({
      path: file.input.display,
      change: file.change,
      from: file.change === "grew" || file.change === "unchanged" ? file.cached!.file.readTo : 0,
      refilled: file.change === "grew" || file.change === "unchanged" ? refilled(file, cached) : 0,
    });
  }
  return { tallies, diagnostics: readDiagnostics(files) };
}

interface SaveContext {
  plans: RequestPlan[];
  signatures: (string | null)[];
  shares: number[];
  cached: number[];
  overflowed: Set<number>;
  fromMinute: number;
  settings: string;
}

/** Every file's cache written back (not a damaged file's, nor one that would not change); one note if the folder refuses. */
async function saveAll(
  files: FilePlan[],
  c: SaveContext,
  cache: LogCacheOptions,
  note: (text: string) => void,
): Promise<void> {
  for (const file of files) {
    const write = entriesToSave(
      file,
      c.plans,
      c.signatures,
      c.shares,
      c.cached,
      c.overflowed,
      c.fromMinute,
    );
    if (write === null || file.damage) continue;
    const data: CacheData = {
      path: file.input.path,
      settings: c.settings,
      file: file.now,
      diagnostics: savedDiagnostics(file),
      entries: write,
    };
    const problem = await saveCache(file.cacheFile, data);
    if (problem !== null) {
      note(`cannot write the log cache in ${cache.dir}: ${problem}; counted without it`);
      return;
    }
  }
}

async function prepareFile(
  input: Extract<LogInput, { kind: "file" }>,
  cache: LogCacheOptions,
  settings: string,
  note: (text: string) => void,
): Promise<FilePlan> {
  const cacheFile = cacheFileOf(cache.dir, input.path);
  const loaded = await loadCache(cacheFile, input.path, note);
  const cached = loaded?.settings === settings ? loaded : null;
  const { now, atOldEnd } = await fileStateOf(input.path, input.gzip, cached?.file.readTo);
  const change = cached ? changeOf(cached.file, now, input.gzip, atOldEnd) : "new";
  return {
    input,
    cacheFile,
    cached,
    now,
    change,
    usable: new Map(),
    saved: new Map(),
    tail: new Map(),
    merged: new Map(),
    answered: new Map(),
    diagnostics: [],
    damage: null,
  };
}

/** The cached entries that answer a plan here: its buckets, from early enough, not cut short after. */
function findUsable(
  file: FilePlan,
  cached: number[],
  plans: RequestPlan[],
  signatures: (string | null)[],
  reach: { fromMs: number; toMs: number }[],
): void {
  if (file.change !== "grew" && file.change !== "unchanged") return;
  for (const i of cached) {
    const plan = plans[i]!;
    const entry = file.cached!.entries.find((e) => e.signature === signatures[i]);
    if (!entry?.state || !fitsPlan(plan, entry.state)) continue;
    if (entry.coverFrom > reach[i]!.fromMs / MINUTE_MS + 1) continue;
    if (reach[i]!.toMs / MINUTE_MS >= entry.state.droppedFrom) continue;
    file.usable.set(i, entry);
  }
}

/** The span every plan that counts from plan i's buckets needs: i's own, its sharers' too. */
function reachOf(
  i: number,
  plans: RequestPlan[],
  signatures: (string | null)[],
  shares: number[],
): { fromMs: number; toMs: number } {
  let fromMs = plans[i]!.fromMs;
  let toMs = plans[i]!.toMs;
  plans.forEach((plan, j) => {
    if (signatures[j] === null || shares[j] !== i) return;
    fromMs = Math.min(fromMs, plan.fromMs);
    toMs = Math.max(toMs, plan.toMs);
  });
  return { fromMs, toMs };
}

function refilled(file: FilePlan, cached: number[]): number {
  return cached.filter((i) => !file.usable.has(i)).length;
}

interface JobMeta {
  file: FilePlan;
  role: Role;
  seq: number;
}

/** Every file's jobs, grouped by the plans they count, run; results into each file's buckets. */
async function runFileJobs(
  files: FilePlan[],
  cached: number[],
  minutes: { fromMs: number; toMs: number },
  rangeBytes: number,
  runJobs: JobRunner,
): Promise<void> {
  const groups = new Map<string, { plans: number[]; jobs: LogJob[]; meta: JobMeta[] }>();
  const add = (plans: number[], job: LogJob, meta: JobMeta) => {
    const key = plans.join(",");
    let group = groups.get(key);
    if (!group) {
      group = { plans, jobs: [], meta: [] };
      groups.set(key, group);
    }
    group.jobs.push({ ...job, minutes });
    group.meta.push(meta);
  };
  for (const file of files) {
    const fresh = cached.filter((i) => !file.usable.has(i));
    const valid = file.change === "grew" || file.change === "unchanged";
    const oldEnd = valid ? file.cached!.file.readTo : 0;
    const { input, now } = file;
    let seq = 0;
    if (input.gzip) {
      // a .gz is never read from an offset: unchanged, only requests the cache lacks read it
      const plansOf = valid ? fresh : cached;
      if (plansOf.length > 0)
        add(
          plansOf,
          { kind: "stream", input },
          { file, role: valid ? "refill" : "new", seq: seq++ },
        );
      continue;
    }
    const ranges = (from: number, to: number, plansOf: number[], role: Role) => {
      for (const job of rangeJobs(input, from, to, rangeBytes))
        add(plansOf, job, { file, role, seq: seq++ });
    };
    if (valid && fresh.length > 0) ranges(0, oldEnd, fresh, "refill");
    ranges(oldEnd, now.readTo, cached, "new");
    // a last line without its "\n" yet: counted now, kept out of the cache (it may still grow)
    if (now.size > now.readTo)
      add(cached, tailJob(input, now.readTo), { file, role: "tail", seq: seq++ });
  }
  await Promise.all(
    [...groups.values()].map((group) =>
      runJobs(group.plans, group.jobs, (j, result) => {
        take(group.meta[j]!, group.plans, result);
      }),
    ),
  );
}

function take(meta: JobMeta, plans: number[], result: JobResult): void {
  const { file, role, seq } = meta;
  const into = role === "tail" ? file.tail : file.saved;
  result.minuteTallies!.forEach((state, k) => {
    const i = plans[k]!;
    const had = into.get(i);
    into.set(i, had ? addMinuteStates(had, state) : state);
  });
  if (role !== "refill") file.diagnostics.push({ role, seq, result: result.diagnostics });
  if (result.damage) file.damage = { ...result.damage, lines: result.diagnostics.lines };
}

/** Byte ranges of about rangeBytes over [from, to), each owning the lines that start in it. */
function rangeJobs(
  input: Extract<LogInput, { kind: "file" }>,
  from: number,
  to: number,
  rangeBytes: number,
): LogJob[] {
  if (to <= from) return [];
  const count = Math.max(1, Math.round((to - from) / Math.max(rangeBytes, 16 * 1024 * 1024)));
  return Array.from({ length: count }, (_, i) => ({
    kind: "range" as const,
    path: input.path,
    display: input.display,
    from: from + Math.floor(((to - from) * i) / count),
    to: from + Math.floor(((to - from) * (i + 1)) / count),
  }));
}

function tailJob(input: Extract<LogInput, { kind: "file" }>, from: number): LogJob {
  return {
    kind: "range",
    path: input.path,
    display: input.display,
    from,
    to: Number.POSITIVE_INFINITY,
  };
}

/** A file's buckets of a plan (i: the plan whose buckets it shares) that the cache keeps: the cached ones and this run's, or this run's alone. */
function savedState(file: FilePlan, i: number, plan: RequestPlan, fromMinute: number): MinuteState {
  const known = file.merged.get(i);
  if (known) return known;
  const now = file.saved.get(i) ?? emptyMinuteState(plan, fromMinute, 0);
  const entry = file.usable.get(i);
  const merged = entry ? addMinuteStates(entry.state!, now) : now;
  file.merged.set(i, merged);
  return merged;
}

/** A file's buckets of a plan with the unkept last line's added: what every plan sharing them counts. */
function answeredState(
  file: FilePlan,
  i: number,
  plan: RequestPlan,
  fromMinute: number,
): MinuteState {
  const known = file.answered.get(i);
  if (known) return known;
  const saved = savedState(file, i, plan, fromMinute);
  const tail = file.tail.get(i);
  const all = tail ? addMinuteStates(saved, tail) : saved;
  file.answered.set(i, all);
  return all;
}

/**
 * A plan's counts over every file, as a Tally; "overflow" when the buckets
 * passed a cap or cannot give exactly what a cold read would.
 */
function answerOf(
  plan: RequestPlan,
  i: number,
  files: FilePlan[],
  fromMinute: number,
): Tally | "overflow" {
  const tally = new Tally(plan);
  for (const file of files) {
    const all = answeredState(file, i, plan, fromMinute);
    if (!withinCaps(plan, all)) return "overflow";
    // events after the buckets kept were not counted: this plan needs them
    if (plan.toMs / MINUTE_MS >= all.droppedFrom) return "overflow";
    tally.merge(tallyStateOf(plan, all));
  }
  // exact only while every breakdown value and group has its own count, as in a cold read
  if (tally.state.breakdown.floor > 0 || tally.state.groups?.untallied) return "overflow";
  return tally;
}

/** What a file's cache is to hold after this run; null when it would not change. */
function entriesToSave(
  file: FilePlan,
  plans: RequestPlan[],
  signatures: (string | null)[],
  shares: number[],
  cached: number[],
  overflowed: Set<number>,
  fromMinute: number,
): CacheEntry[] | null {
  const valid = file.change === "grew" || file.change === "unchanged";
  const nothingRead =
    file.change === "unchanged" &&
    file.saved.size === 0 &&
    cached.every((i) => file.usable.has(i)) &&
    ![...overflowed].some(
      (i) => !file.cached!.entries.some((e) => e.signature === signatures[i] && e.state === null),
    );
  if (nothingRead) return null;
  const entries: CacheEntry[] = [];
  const mine = new Set<string>();
  plans.forEach((plan, i) => {
    const signature = signatures[i];
    if (signature === null || signature === undefined || shares[i] !== i) return;
    mine.add(signature);
    if (overflowed.has(i)) {
      entries.push({ signature, coverFrom: 0, state: null });
      return;
    }
    const entry = file.usable.get(i);
    const state = dropBefore(savedState(file, i, plan, fromMinute), fromMinute);
    entries.push({
      signature,
      coverFrom: Math.max(entry?.coverFrom ?? fromMinute, fromMinute),
      state,
    });
  });
  // other runs' requests keep their buckets while they still end where this run's do
  if (valid && file.now.readTo === file.cached!.file.readTo) {
    for (const entry of file.cached!.entries) if (!mine.has(entry.signature)) entries.push(entry);
  }
  return entries;
}

/** The diagnostics of the part of the file the cache covers after this run. */
function savedDiagnostics(file: FilePlan): CachedDiagnostics {
  const valid = file.change === "grew" || file.change === "unchanged";
  const into = valid ? copyDiagnostics(file.cached!.diagnostics) : emptyCached();
  for (const d of ordered(file, "new")) addCached(into, d);
  return into;
}

function ordered(file: FilePlan, role: Role): ScanDiagnostics[] {
  return file.diagnostics
    .filter((d) => d.role === role)
    .sort((a, b) => a.seq - b.seq)
    .map((d) => d.result);
}

function emptyCached(): CachedDiagnostics {
  const none = (): CountedLines => ({ count: 0, lines: [] });
  return { lines: 0, malformed: none(), tooLong: none(), noTimestamp: none() };
}

function copyDiagnostics(d: CachedDiagnostics): CachedDiagnostics {
  const copy = (c: CountedLines): CountedLines => ({ count: c.count, lines: [...c.lines] });
  return {
    lines: d.lines,
    malformed: copy(d.malformed),
    tooLong: copy(d.tooLong),
    noTimestamp: copy(d.noTimestamp),
  };
}

/** A job's diagnostics after the lines already counted: its line numbers moved on by them. */
function addCached(into: CachedDiagnostics, d: ScanDiagnostics): void {
  const offset = into.lines;
  into.lines += d.lines;
  for (const kind of ["malformed", "tooLong", "noTimestamp"] as const) {
    into[kind].count += d[kind].count;
    for (const sample of d[kind].samples) {
      if (into[kind].lines.length >= MAX_SAMPLES) break;
      into[kind].lines.push(sample.line + offset);
    }
  }
}

/** Every file's diagnostics (the cached part's, then this run's tail), in file order, as a cold read gives them. */
function readDiagnostics(files: FilePlan[]): ReadDiagnostics {
  const merged: ReadDiagnostics = { ...emptyDiagnostics(), damaged: { count: 0, files: [] } };
  for (const file of files) {
    const d = savedDiagnostics(file);
    for (const tail of ordered(file, "tail")) addCached(d, tail);
    merged.lines += d.lines;
    for (const kind of ["malformed", "tooLong", "noTimestamp"] as const) {
      merged[kind].count += d[kind].count;
      for (const line of d[kind].lines) {
        if (merged[kind].samples.length >= MAX_SAMPLES) break;
        // the cache keeps line numbers, not the lines' text
        const sample: LineSample = { file: file.input.display, line, text: "" };
        merged[kind].samples.push(sample);
      }
    }
    if (file.damage) {
      merged.damaged.count++;
      if (merged.damaged.files.length < MAX_SAMPLES)
        merged.damaged.files.push({ file: file.input.display, ...file.damage });
    }
  }
  return merged;
}
