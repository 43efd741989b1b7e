/**
 * The review of a change to the SLO files: the base commit's SLOs (read
 * with git) against the ones given, matched by service and name; each
 * added, removed or changed SLO evaluated under both definitions on the
 * same data at the same instant, its alerts replayed over the window as
 * `slo report` replays them. SLOs defined the same are counted only.
 */

import { resolve } from "node:path";
import { type CommitOf, loadSpecAt, resolveCommit } from "../definition/git-slo-files.js";
import type { ServiceSpec, SloSet, SloSpec, SourceSpec } from "../definition/model.js";
import { type SloError, SloErrors } from "../errors.js";
import type { ChangedPart, SloChange, SloDiff, SloDiffSide } from "../report/diff-model.js";
import { windowLabel } from "../report/format.js";
import type { SloReportEntry } from "../report/schema.js";
import { type EvaluateOptions, evaluateSet } from "./evaluate-set.js";

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

/** The base commit's SLOs, or every problem in them (exit 2, each naming REF:path). */
export async function loadBaseSet(
  options: Pick<SloDiffOptions, "base" | "paths" | "cwd" | "env" | "warn">,
): Promise<{ commit: CommitOf; set: SloSet }> {
  const commit = await resolveCommit(options.base, options.cwd);
  const { set, errors, warnings } = await loadSpecAt(commit, options.paths, {
    cwd: options.cwd,
    env: options.env,
  });
  if (errors.length > 0) throw new SloErrors(errors);
  for (const warning of warnings) options.warn?.(warning);
  return { commit, set };
}

/** Compare `head` (the SLOs as they are now) with the base commit's. */
export async function diffSlos(head: SloSet, options: SloDiffOptions): Promise<SloDiff> {
  const { commit, set: base } = await loadBaseSet(options);
  const pairs = matchSlos(base, head);
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
    const entry = entries.find((e) => e.service === slo.service && e.name === slo.name);
    return entry ? sideFrom(entry) : null;
  };
  const changes: SloChange[] = differing.map((p) => ({
    kind: p.kind as SloChange["kind"],
    service: (p.after ?? p.before)!.service,
    name: (p.after ?? p.before)!.name,
    changed: p.changed,
    before: sideOf(before.slos, p.before),
    after: sideOf(after.slos, p.after),
  }));
  return {
    version: 1,
    base: { ref: commit.ref, sha: commit.sha },
    evaluatedAt: new Date(options.atMs).toISOString(),
    changes,
    unchanged: pairs.length - differing.length,
  };
}

interface Pair {
  kind: SloChange["kind"] | "unchanged";
  before: SloSpec | null;
  after: SloSpec | null;
  beforeService: ServiceSpec | null;
  afterService: ServiceSpec | null;
  changed: ChangedPart[];
}

const keyOf = (slo: SloSpec) => `${slo.service}\u0000${slo.name}`;

/** Every SLO of either side, matched by service and name: the new side's order, then what was removed. */
export function matchSlos(base: SloSet, head: SloSet): Pair[] {
  const before = new Map<string, [SloSpec, ServiceSpec]>();
  for (const service of base.services)
    for (const slo of service.slos) before.set(keyOf(slo), [slo, service]);
  const pairs: Pair[] = [];
  const matched = new Set<string>();
  for (const service of head.services) {
    for (const slo of service.slos) {
      const old = before.get(keyOf(slo));
      matched.add(keyOf(slo));
      if (!old) {
        pairs.push(pair("added", null, slo, null, service, []));
        continue;
      }
      const changed = changedParts(old[0], old[1], slo, service);
      pairs.push(
        pair(changed.length > 0 ? "changed" : "unchanged", old[0], slo, old[1], service, changed),
      );
    }
  }
  for (const [key, [slo, service]] of before) {
    if (!matched.has(key)) pairs.push(pair("removed", slo, null, service, null, []));
  }
  return pairs;
}

function pair(
  kind: Pair["kind"],
  before: SloSpec | null,
  after: SloSpec | null,
  beforeService: ServiceSpec | null,
  afterService: ServiceSpec | null,
  changed: ChangedPart[],
): Pair {
  return { kind, before, after, beforeService, afterService, changed };
}

/** The parts of an SLO, each compared as a whole; where it is written is not one of them. */
function partsOf(slo: SloSpec, service: ServiceSpec): Record<ChangedPart, unknown> {
  const {
    at: _at,
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

function changedParts(
  before: SloSpec,
  beforeService: ServiceSpec,
  after: SloSpec,
  afterService: ServiceSpec,
): ChangedPart[] {
  const a = partsOf(before, beforeService);
  const b = partsOf(after, afterService);
  return (Object.keys(a) as ChangedPart[]).filter((k) => canonical(a[k]) !== canonical(b[k]));
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

function sideFrom(entry: SloReportEntry): SloDiffSide {
  const episodes = entry.alertHistory?.episodes ?? [];
  return {
    definedAt: `${entry.definedAt.file}:${entry.definedAt.line}`,
    objective: entry.objective,
    window: windowLabel(entry),
    budgetingMethod: entry.budgetingMethod,
    alerting: entry.alerts.map((a) => ({
      severity: a.severity,
      long: a.long,
      short: a.short,
      factor: a.factor,
    })),
    status: entry.status,
    sli: entry.sli,
    budgetRemaining: entry.errorBudget.remaining,
    events: entry.events,
    pages: episodes.filter((e) => e.severity === "page").length,
    tickets: episodes.filter((e) => e.severity === "ticket").length,
    replayedSince: entry.alertHistory?.since ?? null,
    error: entry.error?.message ?? null,
  };
}
