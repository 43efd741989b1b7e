import { describe, expect, it } from "vitest";
import { DEFAULT_GROUP_LIMIT } from "../../src/defaults.js";
import { loadText } from "../../src/definition/load.js";
import { MAX_GROUP_LIMIT } from "../../src/limits.js";

/** One SLO on `source` (logs, prom or loki) with `extra` lines under it. */
function file(extra: string, source = "logs", indicator?: string): string {
  const ratio =
    source === "prom"
      ? `{ source: prom, bad: 'http_requests_total{code=~"5.."}', total: http_requests_total }`
      : source === "loki"
        ? `{ source: loki, bad: '{app="a"} | json | status >= 500', total: '{app="a"} | json' }`
        : `{ source: ${source}, bad: '| json | status >= 500', total: '| json' }`;
  return `service: ctrl
sources:
  logs: { type: logs, paths: [a.ndjson] }
  prom: { type: prometheus, url: http://127.0.0.1:9090 }
  loki: { type: loki, url: http://127.0.0.1:3100 }
slos:
  - name: availability
    objective: 99%
    window: 7d
    indicator: ${indicator ?? `{ ratio: ${ratio} }`}
${extra}`;
}

function errorsOf(text: string): string[] {
  return loadText("slo.yaml", text, {}).errors.map((e) => e.format().split("\n")[0]!);
}

describe("groupBy in a native file", () => {
  it("reads one label or several, the limit, and the gate's per", () => {
    const one = loadText("slo.yaml", file("    groupBy: action"), {});
    expect(one.errors).toEqual([]);
    const slo = one.services[0]!.slos[0]!;
    expect(slo.grouping).toEqual({ by: ["action"], limit: DEFAULT_GROUP_LIMIT });
    expect(slo.gate.per).toBeUndefined();
    expect(DEFAULT_GROUP_LIMIT).toBe(100);

    const several = loadText(
      "slo.yaml",
      file("    groupBy: [action, region]\n    groupLimit: 20\n    gate: { per: whole }", "prom"),
      {},
    );
    expect(several.errors).toEqual([]);
    const s = several.services[0]!.slos[0]!;
    expect(s.grouping).toEqual({ by: ["action", "region"], limit: 20 });
    expect(s.gate).toMatchObject({ enabled: true, per: "whole" });
  });

  it("has no grouping without groupBy", () => {
    const plain = loadText("slo.yaml", file(""), {});
    expect(plain.services[0]!.slos[0]!.grouping).toBeUndefined();
  });

  it("refuses an empty list and a label named twice, at the list", () => {
    expect(errorsOf(file("    groupBy: []"))).toEqual([
      expect.stringMatching(/^slo\.yaml:11:14: groupBy: an empty list/),
    ]);
    expect(errorsOf(file("    groupBy: [action, region, action]"))).toEqual([
      expect.stringMatching(/^slo\.yaml:11:31: groupBy: 'action' is named twice/),
    ]);
  });

  it("refuses a label Prometheus or Loki cannot name, not a log field", () => {
    expect(errorsOf(file("    groupBy: [http.route]", "prom"))).toEqual([
      expect.stringMatching(
        /^slo\.yaml:11:15: groupBy: 'http\.route' is not a Prometheus label name/,
      ),
    ]);
    expect(errorsOf(file("    groupBy: 1action", "loki"))).toEqual([
      expect.stringMatching(/^slo\.yaml:11:14: groupBy: '1action' is not a Loki label name/),
    ]);
    expect(errorsOf(file("    groupBy: [http.route]"))).toEqual([]);
  });

  it("refuses a groupLimit below 1, above the maximum or not whole", () => {
    expect(errorsOf(file("    groupBy: action\n    groupLimit: 0"))).toEqual([
      expect.stringMatching(/^slo\.yaml:12:17: groupLimit: 0 is below 1/),
    ]);
    expect(errorsOf(file(`    groupBy: action\n    groupLimit: ${MAX_GROUP_LIMIT + 1}`))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^slo\\.yaml:12:17: groupLimit: ${MAX_GROUP_LIMIT + 1} is over ${MAX_GROUP_LIMIT}`,
        ),
      ),
    ]);
    expect(errorsOf(file("    groupBy: action\n    groupLimit: 2.5"))).toEqual([
      expect.stringMatching(
        new RegExp(
          `^slo\\.yaml:12:17: .*expected a whole number of groups, 1 to ${MAX_GROUP_LIMIT}`,
        ),
      ),
    ]);
    expect(errorsOf(file("    groupBy: 5"))).toEqual([
      expect.stringMatching(
        /^slo\.yaml:11:14: .*expected a label or field name, or a list of them/,
      ),
    ]);
  });

  it("refuses groupLimit and gate.per without groupBy", () => {
    expect(errorsOf(file("    groupLimit: 5"))).toEqual([
      expect.stringMatching(/^slo\.yaml:11:5: groupLimit without groupBy/),
    ]);
    expect(errorsOf(file("    gate: { per: group }"))).toEqual([
      expect.stringMatching(/^slo\.yaml:11:13: gate\.per without groupBy/),
    ]);
    expect(errorsOf(file("    gate: { per: all }\n    groupBy: a"))).toEqual([
      expect.stringMatching(/^slo\.yaml:11:18: gate\.per: expected group or whole, got 'all'/),
    ]);
  });

  it("refuses groupBy on a sampled value and with timeslices, saying why", () => {
    const sampled = `{ sampled: { source: prom, query: up, op: gte, threshold: 1 } }`;
    expect(errorsOf(file("    groupBy: instance", "prom", sampled))).toEqual([
      expect.stringMatching(/^slo\.yaml:11:14: groupBy: a sampled value cannot be grouped/),
    ]);
    expect(
      errorsOf(
        file("    groupBy: action\n    budgetingMethod: timeslices\n    timesliceTarget: 95%"),
      ),
    ).toEqual([
      expect.stringMatching(/^slo\.yaml:11:14: groupBy: timeslice budgeting cannot be grouped/),
    ]);
  });
});
