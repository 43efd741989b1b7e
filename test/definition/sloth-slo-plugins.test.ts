/**
 * Sloth's SLO plugins (`slo_plugins` / `sloPlugins`, an SLO's `plugins`,
 * Sloth v0.12+): those whose effect slo has are mapped, the others refused
 * by name. Fixtures in test/fixtures/sloth/plugins; the refused ones in
 * test/fixtures/sloth/broken (17, 28, 29).
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_BURN_RATE_WINDOWS, DEFAULT_MIN_EVENTS } from "../../src/defaults.js";
import { formatDuration } from "../../src/definition/duration.js";
import { loadSpec, loadText } from "../../src/definition/load.js";
import type { SloSpec } from "../../src/definition/model.js";
import { MAX_WINDOW_MS } from "../../src/limits.js";
import { ROOT, runCli } from "../support/cli.js";
import { convertInto, slosOf as modelOf, rulesText } from "./openslo-roundtrip.js";

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

  it("alert_for: page_alert.for and ticket_alert.for hold each alert that long; the rules carry for:, convert keeps it", async () => {
    const { set, warnings } = await load([`${DIR}/alert-for.yaml`]);
    expect(warnings).toEqual([]);
    const slo = slosOf(set.services).get("checkout/requests-availability")!;
    expect(
      slo.alerting.windows.map((w) => [w.severity, w.long, w.alertAfter, w.alertAfterMs]),
    ).toEqual([
      ["page", "1h", "5m", 300_000],
      ["page", "6h", "5m", 300_000],
      ["ticket", "1d", "10m", 600_000],
      ["ticket", "3d", "10m", 600_000],
    ]);
    const rules = String((rulesText(set, "prometheus") as { rules: string }).rules);
    expect(rules.match(/^ +for: 5m$/gm)).toHaveLength(2);
    expect(rules.match(/^ +for: 10m$/gm)).toHaveLength(2);

    const dir = await convertInto([join(ROOT, DIR, "alert-for.yaml")], "native");
    expect(readFileSync(join(dir, "checkout.yaml"), "utf8")).toMatch(/alertAfter: 5m/);
    const back = await load([dir]);
    expect(modelOf(back.set)).toEqual(modelOf(set));
  });

  it("page_alert.for without alert_for: ignored, as Sloth ignores it, with a warning at the key", () => {
    const text = [
      'version: "prometheus/v1"',
      "service: s",
      "slos:",
      "  - name: x",
      "    objective: 99",
      "    sli:",
      "      events:",
      "        error_query: sum(rate(e[{{.window}}]))",
      "        total_query: sum(rate(t[{{.window}}]))",
      "    alerting:",
      "      name: X",
      "      page_alert:",
      "        for: 5m",
      "",
    ].join("\n");
    const { services, errors, warnings } = loadText("s.yaml", text, {});
    expect(errors).toEqual([]);
    expect(services[0]!.slos[0]!.alerting.windows.every((w) => w.alertAfter === undefined)).toBe(
      true,
    );
    expect(warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toEqual([
      "13:9: Sloth spec, SLO 'x': slos[0].alerting.page_alert.for: Sloth ignores for without the plugin sloth.dev/contrib/alert_for/v1 in the SLO's chain, and so does slo: the alert fires with no pending time",
    ]);
  });

  it("an info label that is not a Prometheus label name is a warning at its key: slo's rules write it cleaned", () => {
    const text = [
      'version: "prometheus/v1"',
      "service: s",
      "slo_plugins:",
      "  chain:",
      "    - id: sloth.dev/contrib/info_labels/v1",
      "      config:",
      "        labels:",
      "          cost-center: cc-42",
      "slos:",
      "  - name: x",
      "    objective: 99",
      "    sli:",
      "      events:",
      "        error_query: sum(rate(e[{{.window}}]))",
      "        total_query: sum(rate(t[{{.window}}]))",
      "",
    ].join("\n");
    const { errors, warnings } = loadText("s.yaml", text, {});
    expect(errors).toEqual([]);
    expect(warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toEqual([
      "8:11: Sloth spec: slo_plugins.chain[0].config.labels.cost-center: 'cost-center' is not a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*): Sloth writes it as it is, which Prometheus before 3.0 refuses (invalid label name); slo's rules write it as 'cost_center'",
    ]);
  });

  it("alert_for in the Kubernetes resource: Sloth's plugin reads only prometheus/v1 specs, so pageAlert.for is ignored with a warning", () => {
    const text = [
      "apiVersion: sloth.slok.dev/v1",
      "kind: PrometheusServiceLevel",
      "metadata: {name: s}",
      "spec:",
      "  service: s",
      "  sloPlugins:",
      '    chain: [{id: "sloth.dev/contrib/alert_for/v1"}]',
      "  slos:",
      "    - name: x",
      "      objective: 99",
      "      sli:",
      "        events:",
      "          errorQuery: sum(rate(e[{{.window}}]))",
      "          totalQuery: sum(rate(t[{{.window}}]))",
      "      alerting:",
      "        name: X",
      "        pageAlert:",
      "          for: 5m",
      "",
    ].join("\n");
    const { services, errors, warnings } = loadText("s.yaml", text, {});
    expect(errors).toEqual([]);
    expect(services[0]!.slos[0]!.alerting.windows.every((w) => w.alertAfter === undefined)).toBe(
      true,
    );
    expect(warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toEqual([
      "18:11: PrometheusServiceLevel 's', SLO 'x': spec.slos[0].alerting.pageAlert.for: unknown key 'for': Sloth ignores it, and so does slo",
    ]);
  });

  it("alert_for with an AlertWindows file: the custom windows wait the alerts' for", async () => {
    const windows = "test/fixtures/sloth/windows/custom-30d.yaml";
    const custom = await load([windows, "test/fixtures/sloth/windows/checkout.yaml"]);
    const customWindows = custom.set.services[0]!.slos[0]!.alerting.windows;
    expect(customWindows).not.toEqual(DEFAULT_BURN_RATE_WINDOWS);
    const { set } = await load([windows, `${DIR}/alert-for.yaml`]);
    expect(slosOf(set.services).get("checkout/requests-availability")!.alerting.windows).toEqual(
      customWindows.map((w) => ({
        ...w,
        ...(w.severity === "page"
          ? { alertAfter: "5m", alertAfterMs: 300_000 }
          : { alertAfter: "10m", alertAfterMs: 600_000 }),
      })),
    );
  });

  it("a for longer than slo reads is an error at the key", () => {
    const text = [
      'version: "prometheus/v1"',
      "service: s",
      'slo_plugins: {chain: [{id: "sloth.dev/contrib/alert_for/v1"}]}',
      "slos:",
      "  - name: x",
      "    objective: 99",
      "    sli:",
      "      events:",
      "        error_query: sum(rate(e[{{.window}}]))",
      "        total_query: sum(rate(t[{{.window}}]))",
      "    alerting:",
      "      name: X",
      "      ticket_alert: {for: 6y}",
      "",
    ].join("\n");
    const { errors } = loadText("s.yaml", text, {});
    expect(errors.map((e) => `${e.line}:${e.col}: ${e.message}`)).toEqual([
      `13:27: Sloth spec, SLO 'x': slos[0].alerting.ticket_alert.for: 6y is longer than ${formatDuration(MAX_WINDOW_MS)}, the longest duration slo reads`,
    ]);
  });
});
