/**
 * Subjects for notifier tests, evaluated by the real pipeline (evaluateSet)
 * from a scripted source: each SLO says which severities should fire, and
 * the source answers counts that make exactly those fire.
 */

import { alertSubjects } from "../../src/alerts/subjects.js";
import { DEFAULT_BURN_RATE_WINDOWS } from "../../src/defaults.js";
import type { NotifyTarget, SloSet, SloSpec } from "../../src/definition/model.js";
import { sourceError } from "../../src/errors.js";
import { evaluateSet } from "../../src/pipeline/evaluate-set.js";
import type { CountResult, Source } from "../../src/sources/types.js";
import { sloSpec } from "../support/slo-spec.js";

export type Firing = "page" | "ticket" | "both" | "none" | "error";

export interface SubjectCase {
  name: string;
  firing: Firing;
  service?: string;
  labels?: Record<string, string>;
  notify?: NotifyTarget[];
  runbook?: string;
  description?: string;
  /** alerting.page.labels: extra labels on the page alert (e.g. a route) */
  pageLabels?: Record<string, string>;
  /** a grouped SLO (groupBy: [action]): what each action's group fires; `firing` is ignored */
  groups?: Record<string, Firing>;
}

/** Error ratios per window that make the page (1h/5m) and/or ticket (1d/2h) rules fire at 99.9%. */
function countsFor(firing: Firing): CountResult["windows"] {
  const page = firing === "page" || firing === "both";
  const ticket = firing === "ticket" || firing === "both";
  const c = (badRatio: number, total = 10_000) => ({
    good: Math.round(total * (1 - badRatio)),
    total,
  });
  return {
    "5m": c(page ? 0.05 : 0),
    "30m": c(0),
    "1h": c(page ? 0.05 : 0),
    "2h": c(ticket ? 0.01 : 0),
    "6h": c(0),
    "1d": c(ticket ? 0.005 : 0),
    "3d": c(0),
    "30d": c(0.0005, 1_000_000),
    previous: c(0.0002, 1_000_000),
  };
}

export function sloSetOf(cases: readonly SubjectCase[]): SloSet {
  const byService = new Map<string, SloSpec[]>();
  for (const k of cases) {
    const service = k.service ?? "shop";
    const slo = sloSpec(
      k.name,
      { kind: "ratio", source: "scripted", total: "total", bad: "bad" },
      {
        service,
        labels: k.labels ?? {},
        notify: k.notify ?? [],
        runbook: k.runbook,
        description: k.description,
        alerting: {
          minEvents: 10,
          windows: DEFAULT_BURN_RATE_WINDOWS,
          page: { disable: false, labels: k.pageLabels ?? {}, annotations: {} },
          ticket: { disable: false, labels: {}, annotations: {} },
        },
      },
    );
    const grouped = k.groups ? { ...slo, grouping: { by: ["action"], limit: 100 } } : slo;
    byService.set(service, [...(byService.get(service) ?? []), grouped]);
  }
  return {
    files: ["test.yaml"],
    services: [...byService].map(([service, slos]) => ({
      service,
      file: "test.yaml",
      labels: {},
      sources: {
        scripted: {
          type: "prometheus" as const,
          name: "scripted",
          url: "http://127.0.0.1:9",
          headers: {},
          timeoutMs: 1000,
          retries: 0,
        },
      },
      slos,
      notify: [],
      health: [],
    })),
  };
}

export async function evaluateCases(cases: readonly SubjectCase[], atMs: number) {
  const set = sloSetOf(cases);
  const firingOf = new Map(cases.map((k) => [`${k.service ?? "shop"}/${k.name}`, k.firing]));
  const groupsOf = new Map(cases.map((k) => [`${k.service ?? "shop"}/${k.name}`, k.groups]));
  // Per SLO: one SLO's source failing must not take the others down.
  const source: Source = {
    name: "scripted",
    type: "scripted",
    async count(requests) {
      return requests.map((r) => {
        const firing = firingOf.get(`${r.slo.service}/${r.slo.name}`) ?? "none";
        if (firing === "error") return sourceError("scripted source failure");
        const groups = groupsOf.get(`${r.slo.service}/${r.slo.name}`);
        return {
          windows: countsFor(firing),
          series: {},
          ...(groups
            ? {
                groups: Object.entries(groups).map(([value, f]) => ({
                  values: [value],
                  windows: countsFor(f),
                  series: {},
                })),
              }
            : {}),
          breakdown: [],
          diagnostics: {},
        };
      });
    },
  };
  const report = await evaluateSet(set, { atMs, sourceFactory: () => source });
  return { set, report, subjects: alertSubjects(set, report) };
}
