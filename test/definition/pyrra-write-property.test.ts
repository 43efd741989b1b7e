/**
 * Any Pyrra SLO of the shapes slo reads (ratio, latency, latencyNative, with
 * or without grouping, labels, namespace, service label, alert name, alerts
 * off), written to a real file, read, written back with `slo convert --to
 * pyrra` and read again, is the same SLO.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadSpec } from "../../src/definition/load.js";
import { ROOT } from "../support/cli.js";
import { convertInto, slosOf } from "./openslo-roundtrip.js";

const word = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
const matchers = fc.uniqueArray(fc.tuple(word, word), { maxLength: 2, selector: ([k]) => k });
const selectorOf = (metric: string, ms: [string, string][]) =>
  ms.length === 0 ? metric : `${metric}{${ms.map(([k, v]) => `${k}="${v}"`).join(",")}}`;

const indicator = fc.oneof(
  fc.record({ kind: fc.constant("ratio"), metric: word, ms: matchers }),
  fc.record({
    kind: fc.constant("latency"),
    metric: word,
    ms: matchers,
    le: fc.constantFrom("0.1", "0.25", "1", "2.5"),
  }),
  fc.record({
    kind: fc.constant("latencyNative"),
    metric: word,
    ms: matchers,
    latency: fc.constantFrom("100ms", "250ms", "1s", "2s"),
  }),
);

function indicatorDoc(ind: {
  kind: string;
  metric: string;
  ms: [string, string][];
  le?: string;
  latency?: string;
}): Record<string, unknown> {
  const base = `${ind.metric}_requests`;
  if (ind.kind === "ratio")
    return {
      errors: { metric: selectorOf(`${base}_total`, [...ind.ms, ["code", "5xx"]]) },
      total: { metric: selectorOf(`${base}_total`, ind.ms) },
    };
  if (ind.kind === "latency")
    return {
      success: {
        metric: selectorOf(`${base}_seconds_bucket`, [...ind.ms, ["le", ind.le!]]),
      },
      total: { metric: selectorOf(`${base}_seconds_count`, ind.ms) },
    };
  return { latency: ind.latency, total: { metric: selectorOf(`${base}_seconds`, ind.ms) } };
}

const slo = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/),
  namespace: fc.option(word, { nil: undefined }),
  service: fc.option(word, { nil: undefined }),
  team: fc.option(word, { nil: undefined }),
  target: fc.constantFrom("90", "95", "99", "99.5", "99.9", "99.95", "99.99"),
  window: fc.constantFrom("1w", "2w", "4w", "28d", "30d", "7d", "3d"),
  description: fc.option(fc.constantFrom("Checkout answers", "API: fast enough"), {
    nil: undefined,
  }),
  indicator,
  grouping: fc.uniqueArray(fc.constantFrom("handler", "method", "region"), { maxLength: 2 }),
  alertName: fc.option(fc.constantFrom("CheckoutBurn", "ApiErrorBudgetBurn"), { nil: undefined }),
  disabled: fc.boolean(),
});

function toDoc(s: {
  name: string;
  namespace: string | undefined;
  service: string | undefined;
  team: string | undefined;
  target: string;
  window: string;
  description: string | undefined;
  indicator: Parameters<typeof indicatorDoc>[0];
  grouping: string[];
  alertName: string | undefined;
  disabled: boolean;
}): Record<string, unknown> {
  const labels: Record<string, string> = {};
  if (s.service) labels["pyrra.dev/service"] = s.service;
  if (s.team) labels["pyrra.dev/team"] = s.team;
  const alerting: Record<string, unknown> = {};
  if (s.alertName) alerting.name = s.alertName;
  if (s.disabled) alerting.disabled = true;
  return {
    apiVersion: "pyrra.dev/v1alpha1",
    kind: "ServiceLevelObjective",
    metadata: {
      name: s.name,
      ...(s.namespace ? { namespace: s.namespace } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
    },
    spec: {
      target: s.target,
      window: s.window,
      ...(s.description ? { description: s.description } : {}),
      indicator: {
        [s.indicator.kind]: {
          ...indicatorDoc(s.indicator),
          ...(s.grouping.length > 0 ? { grouping: s.grouping } : {}),
        },
      },
      ...(Object.keys(alerting).length > 0 ? { alerting } : {}),
    },
  };
}

describe("slo convert --to pyrra, any Pyrra SLO", () => {
  it("reads back as the same SLO", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-pyrra-property-"));
    let n = 0;
    await fc.assert(
      fc.asyncProperty(slo, async (s) => {
        const file = join(dir, `in-${n++}.yaml`);
        writeFileSync(file, stringify(toDoc(s)));
        const { set, errors } = await loadSpec([file], { env: {}, cwd: ROOT });
        expect(errors.map((e) => e.format())).toEqual([]);
        const back = await loadSpec([await convertInto([file], "pyrra")], { env: {}, cwd: ROOT });
        expect(back.errors.map((e) => e.format())).toEqual([]);
        expect(slosOf(back.set)).toEqual(slosOf(set));
      }),
      { numRuns: 60 },
    );
  });
});
