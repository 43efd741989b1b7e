/**
 * Sloth's SLO plugins (`slo_plugins` / `sloPlugins`, an SLO's `plugins`,
 * Sloth v0.12+): those whose effect slo has are mapped, the others refused
 * by name. Fixtures in test/fixtures/sloth/plugins; the refused ones in
 * test/fixtures/sloth/broken (17, 28, 29).
 */

import { describe, expect, it } from "vitest";
import { DEFAULT_MIN_EVENTS } from "../../src/defaults.js";
import { loadSpec, loadText } from "../../src/definition/load.js";
import type { SloSpec } from "../../src/definition/model.js";
import { ROOT, runCli } from "../support/cli.js";

const DIR = "test/fixtures/sloth/plugins";

async function load(paths: string[]) {
  const result = await loadSpec(paths, { env: {}, cwd: ROOT });
  expect(result.errors.map((e) => e.format())).toEqual([]);
  return result;
}

const slosOf = (services: { slos: SloSpec[] }[]) =>
  new Map(services.flatMap((s) => s.slos).map((s) => [`${s.service}/${s.name}`, s]));

describe("Sloth SLO plugins", () => {
  it("info_labels adds its labels to the SLO; an SLO's overridePrevious drops the service's chain", async () => {
    const { set } = await load([`${DIR}/slo-plugins.yaml`]);
    const slos = slosOf(set.services);
    expect(slos.get("search/query-availability")!.labels).toEqual({
      owner: "search-team",
      team: "search",
      tier: "2",
    });
    expect(slos.get("search/index-freshness")!.labels).toEqual({
      owner: "search-team",
      team: "indexing",
    });
  });

  it("the denominator correction is slo's low-traffic guard: a warning says what applies instead", async () => {
    const { set, warnings } = await load([`${DIR}/slo-plugins.yaml`]);
    expect(slosOf(set.services).get("search/query-availability")!.alerting.minEvents).toBe(
      DEFAULT_MIN_EVENTS,
    );
    expect(warnings.map((w) => `${w.file}:${w.line}:${w.col}: ${w.message}`)).toEqual([
      `${DIR}/slo-plugins.yaml:18:11: Sloth spec: slo_plugins.chain[3].id: sloth.dev/contrib/denominator_corrected_rules/v1: slo's own low-traffic guard applies instead: a burn-rate alert needs ${DEFAULT_MIN_EVENTS} events (minEvents) in its long window; burn rates are not weighed by traffic`,
    ]);
  });

  it("the Kubernetes resource: sloPlugins and an SLO's plugins add up without overridePrevious", async () => {
    const { set, warnings } = await load([`${DIR}/kubernetes-slo-plugins.yaml`]);
    expect(warnings).toEqual([]);
    expect(slosOf(set.services).get("search-k8s/query-availability")!.labels).toEqual({
      team: "search",
      tier: "1",
    });
  });

  it("an SLO's own label wins over an info label, as the SLO's labels win over the service's", () => {
    const text = [
      'version: "prometheus/v1"',
      "service: s",
      "slo_plugins:",
      "  chain:",
      '    - {id: "sloth.dev/contrib/info_labels/v1", config: {labels: {team: a, tier: "1"}}}',
      "slos:",
      "  - name: x",
      "    objective: 99",
      "    labels: {team: b}",
      "    sli:",
      "      events:",
      "        error_query: sum(rate(e[{{.window}}]))",
      "        total_query: sum(rate(t[{{.window}}]))",
      "",
    ].join("\n");
    const { services, errors } = loadText("s.yaml", text, {});
    expect(errors).toEqual([]);
    expect(services[0]!.slos[0]!.labels).toEqual({ team: "b", tier: "1" });
  });

  it("slo validate: valid, the one warning, exit 0", { timeout: 60_000 }, async () => {
    const r = await runCli([
      "validate",
      `${DIR}/slo-plugins.yaml`,
      `${DIR}/kubernetes-slo-plugins.yaml`,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("2 file(s), 3 SLO(s): valid");
    expect(r.stderr.match(/^warning: /gm)).toHaveLength(1);
  });
});
