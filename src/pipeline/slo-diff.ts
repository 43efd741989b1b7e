/**
 * The review of a change to the SLO files: the base commit's SLOs (read
 * with git) against the ones given, matched by service and name; each
 * added, removed or changed SLO evaluated under both definitions on the
 * same data at the same instant, its alerts replayed over the window as
 * `slo report` replays them. SLOs defined the same are counted only.
 */

import { realpathSync } from "node:fs";
import { basename, dirname, join, posix, relative, resolve, sep } from "node:path";
import {
  type CommitOf,
  loadSpecAt,
  pathsInRepository,
  refLabel,
  resolveCommit,
} from "../definition/git-slo-files.js";
import type { ServiceSpec, SloSet, SloSpec, SourceSpec, WindowSpec } from "../definition/model.js";
import { ruleFactor } from "../engine/alert-policy.js";
import { windowBounds } from "../engine/windows.js";
import { type SloError, SloErrors } from "../errors.js";
import type {
  ChangedPart,
  DiffAlertRule,
  SloChange,
  SloDiff,
  SloDiffSide,
} from "../report/diff-model.js";
import type { SloReportEntry } from "../report/schema.js";
import { type EvaluateOptions, evaluateSet } from "./evaluate-set.js";
import { windowDefinitionOf } from "./requests.js";

export interface SloDiffOptions extends Pick<EvaluateOptions, "sourceOptions" | "sourceFactory"> {
  /** the revision to compare with: HEAD~1, main, a sha */
  base: string;
  /** the SLO files' paths, as given to load the new side; the same are looked up at the base */
  paths: readonly string[];
  cwd: string;
  env: Record<string, string | undefined>;
  atMs: number;
  /** told each warning of the base's files */
  warn?: (warning: SloError) => void;
}

/** A base file that did not load: `REF:path`, and its first error as `REF:path:line:col: message`. */
interface Unreadable {
  file: string;
  location: string;
  error: string;
}

/**
 * The base commit's SLOs. A file that does not load there is history the
 * change may be fixing: its SLOs are left out and the file named, the rest
 * compared. Only a problem that belongs to no file stops the review (exit 2).
 */
export async function loadBaseSet(
  options: Pick<SloDiffOptions, "base" | "paths" | "cwd" | "env" | "warn">,
): Promise<{ commit: CommitOf; set: SloSet; top: string; unreadable: Unreadable[] }> {
  const { top, paths } = await pathsInRepository(options.paths, options.cwd);
  const commit = await resolveCommit(options.base, top);
  const { set, errors, warnings } = await loadSpecAt(commit, paths, { cwd: top, env: options.env });
  const unfiled = errors.filter((e) => !e.file);
  if (unfiled.length > 0) throw new SloErrors(unfiled);
  const unreadable: Unreadable[] = [];
  for (const error of errors) {
    if (!error.file || unreadable.some((u) => u.file === error.file)) continue;
    const location = `${error.file}${error.line ? `:${error.line}:${error.col ?? 1}` : ""}`;
    unreadable.push({ file: error.file, location, error: `${location}: ${error.message}` });
  }
  for (const warning of warnings) options.warn?.(warning);
  const broken = new Set(unreadable.map((u) => u.file));
  const services = set.services
    .map((service) => ({ ...service, slos: service.slos.filter((s) => !broken.has(s.at.file)) }))
    .filter((service) => service.slos.length > 0);
  return { commit, set: { ...set, services }, top, unreadable };
}

/** Compare `head` (the SLOs as they are now) with the base commit's. */
export async function diffSlos(head: SloSet, options: SloDiffOptions): Promise<SloDiff> {
  const { commit, set: base, top, unreadable } = await loadBaseSet(options);
  const inRepo = (slo: SloSpec) => repoPath(top, options.cwd, slo.at.file);
  const atBase = (file: string) => file.slice(refLabel(commit).length + 1);
  const pairs = matchSlos(base, head).map((p) => {
    const location =
      p.kind === "added" ? unreadable.find((u) => atBase(u.file) === inRepo(p.after!)) : undefined;
    return location
      ? { ...p, kind: "unreadable-at-base" as const, baseError: location.location }
      : p;
  });
  const differing = pairs.filter((p) => p.kind !== "unchanged");
  const evaluate = (set: SloSet, side: "before" | "after") =>
    evaluateSet(
      onlyThese(
        set,
        differing.map((p) => p[side]),
      ),
      {
        atMs: options.atMs,
        alertHistory: true,
        ...(options.sourceOptions ? { sourceOptions: options.sourceOptions } : {}),
        ...(options.sourceFactory ? { sourceFactory: options.sourceFactory } : {}),
      },
    );
  // one after the other: the logs sources share one pool of workers
  const before = await evaluate(base, "before");
  const after = await evaluate(head, "after");
  const sideOf = (entries: SloReportEntry[], slo: SloSpec | null) => {
    if (!slo) return null;
    // A grouped SLO's entries are named by group: its first is the whole (gate per whole) or its worst group.
    const entry = entries.find(
      (e) => e.service === slo.service && (e.group?.definition ?? e.name) === slo.name,
    );
    return entry ? sideFrom(slo, entry, options.atMs) : null;
  };
  const changes: SloChange[] = differing.map((p) => {
    const slo = (p.after ?? p.before)!;
    const moved = p.before && p.after && atBase(p.before.at.file) !== inRepo(p.after);
    return {
      kind: p.kind as SloChange["kind"],
      service: slo.service,
      name: slo.name,
      changed: p.changed,
      ...(p.otherKeys.length > 0 ? { otherKeys: p.otherKeys } : {}),
      ...(p.kind === "renamed"
        ? { from: { service: p.before!.service, name: p.before!.name } }
        : {}),
      ...(moved ? { movedFrom: p.before!.at.file } : {}),
      ...(p.baseError ? { baseError: p.baseError } : {}),
      before: sideOf(before.slos, p.before),
      after: sideOf(after.slos, p.after),
    };
  });
  return {
    version: 1,
    base: { ref: commit.ref, sha: commit.sha },
    evaluatedAt: new Date(options.atMs).toISOString(),
    changes,
    unchanged: pairs.length - differing.length,
    unreadable: unreadable.map((u) => ({ file: u.file, error: u.error })),
  };
}

/** A file as the head set names it, relative to the repository's top level. */
function repoPath(top: string, cwd: string, file: string): string {
  const absolute = resolve(cwd, file);
  let real = absolute;
  try {
    real = join(realpathSync(dirname(absolute)), basename(absolute));
  } catch {
    // not on disk: compared as written
  }
  return relative(top, real).split(sep).join(posix.sep);
}

interface Pair {
  kind: SloChange["kind"] | "unchanged";
  before: SloSpec | null;
  after: SloSpec | null;
  changed: ChangedPart[];
  otherKeys: string[];
  baseError?: string;
}

type Defined = [SloSpec, ServiceSpec];

const keyOf = (slo: SloSpec) => `${slo.service}\u0000${slo.name}`;

/**
 * Every SLO of either side, matched by service and name: the new side's
 * order, then what was removed. One left unmatched that is defined as one
 * removed is the same SLO renamed.
 */
export function matchSlos(base: SloSet, head: SloSet): Pair[] {
  const before = new Map<string, Defined>();
  for (const service of base.services)
    for (const slo of service.slos) before.set(keyOf(slo), [slo, service]);
  const pairs: Pair[] = [];
  const unmatched: Defined[] = [];
  for (const service of head.services) {
    for (const slo of service.slos) {
      const old = before.get(keyOf(slo));
      if (!old) {
        unmatched.push([slo, service]);
        pairs.push({ kind: "added", before: null, after: slo, changed: [], otherKeys: [] });
        continue;
      }
      before.delete(keyOf(slo));
      pairs.push(compared(old, [slo, service]));
    }
  }
  for (const [slo, service] of unmatched) {
    const old = [...before.values()].find((b) => compared(b, [slo, service]).kind === "unchanged");
    if (!old) continue;
    before.delete(keyOf(old[0]));
    const at = pairs.findIndex((p) => p.after === slo);
    pairs[at] = { kind: "renamed", before: old[0], after: slo, changed: [], otherKeys: [] };
  }
  for (const [slo] of before.values()) {
    pairs.push({ kind: "removed", before: slo, after: null, changed: [], otherKeys: [] });
  }
  return pairs;
}

function compared(old: Defined, now: Defined): Pair {
  const a = partsOf(...old);
  const b = partsOf(...now);
  const changed = (Object.keys(a) as ChangedPart[]).filter(
    (k) => canonical(a[k]) !== canonical(b[k]),
  );
  const otherA = a.other as Record<string, unknown>;
  const otherB = b.other as Record<string, unknown>;
  const otherKeys = [...new Set([...Object.keys(otherA), ...Object.keys(otherB)])]
    .filter((k) => canonical(otherA[k]) !== canonical(otherB[k]))
    .sort();
  return {
    kind: changed.length > 0 ? "changed" : "unchanged",
    before: old[0],
    after: now[0],
    changed,
    otherKeys,
  };
}

/** The parts of an SLO, each compared as a whole; its name and where it is written are not among them. */
function partsOf(slo: SloSpec, service: ServiceSpec): Record<ChangedPart, unknown> {
  const {
    at: _at,
    service: _service,
    name: _name,
    objective,
    window,
    budgetingMethod,
    timeslice,
    indicator,
    alerting,
    gate,
    ...other
  } = slo;
  return {
    objective,
    window,
    budgeting: { budgetingMethod, timeslice },
    indicator,
    source: comparable(service.sources[indicator.source]),
    alerting,
    gate,
    other,
  };
}

/** A logs source as the files it reads: a file moved to another folder, naming the same logs, is not a change. */
function comparable(source: SourceSpec | undefined): unknown {
  if (source?.type !== "logs") return source;
  const { baseDir, paths, ...rest } = source;
  return { ...rest, paths: paths.map((p) => resolve(baseDir, p)) };
}

/** JSON with sorted keys and no undefined members: equal definitions give equal text. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)),
        )
      : v,
  );
}

/** The set with only these SLOs (each service that keeps any, its sources whole). */
function onlyThese(set: SloSet, slos: (SloSpec | null)[]): SloSet {
  const wanted = new Set(slos.filter((s): s is SloSpec => s !== null));
  const services = set.services
    .map((service) => ({ ...service, slos: service.slos.filter((s) => wanted.has(s)) }))
    .filter((service) => service.slos.length > 0);
  return { files: set.files, services };
}

function sideFrom(slo: SloSpec, entry: SloReportEntry, atMs: number): SloDiffSide {
  const evaluated = entry.status !== "error";
  const episodes = entry.alertHistory?.episodes ?? [];
  const count = (severity: string) =>
    evaluated ? episodes.filter((e) => e.severity === severity).length : null;
  return {
    definedAt: `${entry.definedAt.file}:${entry.definedAt.line}`,
    objective: slo.objective,
    window: windowText(slo.window),
    budgetingMethod: slo.budgetingMethod,
    alerting: alertRules(slo, atMs),
    gate: { ...slo.gate },
    status: entry.status,
    sli: evaluated ? entry.sli : null,
    budgetRemaining: evaluated ? entry.errorBudget.remaining : null,
    events: evaluated ? entry.events : null,
    pages: count("page"),
    tickets: count("ticket"),
    replayedSince: evaluated ? (entry.alertHistory?.since ?? null) : null,
    error: entry.error?.message ?? null,
  };
}

/** The window as people say it; a calendar window with its time zone (and start), which are part of it. */
function windowText(window: WindowSpec): string {
  if (window.kind === "rolling") return window.label;
  const start = window.start ? ` from ${window.start.text}` : "";
  return `calendar ${window.label}${start} (${window.timeZone})`;
}

/** The rules as defined, whether or not the side could be evaluated: alerting is a definition. */
function alertRules(slo: SloSpec, atMs: number): DiffAlertRule[] {
  const periodMs = windowBounds(windowDefinitionOf(slo), atMs).periodMs;
  return slo.alerting.windows
    .filter((w) => !slo.alerting[w.severity].disable)
    .map((w) => ({
      severity: w.severity,
      long: w.long,
      short: w.short,
      factor: ruleFactor(w, periodMs),
      alertAfter: w.alertAfter ?? null,
    }));
}
