/**
 * The SLI plugins of sloth-common-sli-plugins that are plain PromQL
 * templates, read by id with their options as built-in query templates
 * (src/definition/sloth-plugins.ts); written in test/fixtures/sloth/plugins/
 * plugins.yaml the way their READMEs show them. Broken variants are in
 * test/fixtures/sloth/broken (18-23), checked by sloth-load.test.ts.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadSpec, loadText } from "../../src/definition/load.js";
import type { SloSpec } from "../../src/definition/model.js";
import { checkPromQL, windowQuery } from "../../src/definition/promql.js";
import { SLOTH_SLI_PLUGINS } from "../../src/definition/sloth-plugins.js";
import { buildRules } from "../../src/rules/build.js";
import { ROOT, runCli } from "../support/cli.js";
import { convertInto } from "./openslo-roundtrip.js";

const PLUGINS = join(ROOT, "test", "fixtures", "sloth", "plugins", "plugins.yaml");

/** A value of each kind of option that the plugin takes. */
const SAMPLE: Record<string, string> = {
  filter: 'job="x",cluster="eu-1"',
  bucket: '"0.25"',
  custom_rcode_regex: '"SERVFAIL|REFUSED"',
  backend_regex: '"shop.*"',
  service_name_regex: '"shop@.*"',
  service: "checkout",
  namespace: "shop",
  controller: "ingress-controller",
  exclude_errors: "true",
  burn_rate: '"2"',
  jitter_percent: '"10"',
};

function specWith(id: string, options: Record<string, string>): string {
  const lines = Object.entries(options).map(([k, v]) => `          ${k}: ${v}`);
  return [
    'version: "prometheus/v1"',
    "service: s",
    "slos:",
    "  - name: a",
    "    objective: 99.9",
    "    sli:",
    "      plugin:",
    `        id: "${id}"`,
    ...(lines.length > 0 ? ["        options:", ...lines] : []),
    "",
  ].join("\n");
}

function slosOf(text: string): SloSpec[] {
  const { services, errors, warnings } = loadText("s.yaml", text, {});
  expect(errors.map((e) => e.format())).toEqual([]);
  expect(warnings.map((e) => e.format())).toEqual([]);
  return services.flatMap((s) => s.slos);
}

function queriesOf(slo: SloSpec): string[] {
  const i = slo.indicator;
  if (i.kind !== "ratio") throw new Error("not a ratio");
  return [i.bad ?? i.good ?? "", i.total];
}

describe("the SLI plugin table", () => {
  it("has the plain PromQL plugins of sloth-common-sli-plugins, by their ids", () => {
    expect(SLOTH_SLI_PLUGINS.map((p) => p.id)).toEqual(
      expect.arrayContaining([
        "sloth-common/kubernetes/apiserver/availability",
        "sloth-common/kubernetes/apiserver/latency",
        "sloth-common/coredns/availability",
        "sloth-common/coredns/latency",
        "sloth-common/kubernetes/nginx-ingress/availability",
        "sloth-common/traefik/v1/availability",
        "sloth-common/traefik/v1/latency",
        "sloth-common/traefik/v2/availability",
        "sloth-common/traefik/v2/latency",
        "sloth-common/istio/v1/availability",
        "sloth-common/istio/v1/latency",
        "sloth-common/prometheus/targets/availability",
        "sloth-common/prometheus/rules/eval-availability",
        "sloth-common/fake",
      ]),
    );
  });

  it("docs/interop.md lists every plugin slo knows, with its options", () => {
    const docs = readFileSync(join(ROOT, "docs", "interop.md"), "utf8");
    for (const plugin of SLOTH_SLI_PLUGINS) {
      const row = docs
        .split("\n")
        .find((l) => l.startsWith(`  | \`${plugin.id.replace("sloth-common/", "")}\` |`));
      expect(row, plugin.id).toBeDefined();
      for (const o of plugin.options) {
        expect(row, `${plugin.id} ${o.name}`).toContain(
          o.required ? `**\`${o.name}\`**` : `\`${o.name}\``,
        );
      }
    }
  });

  it.each(SLOTH_SLI_PLUGINS.map((p) => [p.id, p] as const))(
    "%s: with every option, and with only the required ones, valid PromQL for every window",
    (id, plugin) => {
      const all = Object.fromEntries(plugin.options.map((o) => [o.name, SAMPLE[o.name]!]));
      const required = Object.fromEntries(
        plugin.options.filter((o) => o.required).map((o) => [o.name, SAMPLE[o.name]!]),
      );
      for (const options of [all, required]) {
        const [slo] = slosOf(specWith(id, options));
        for (const q of queriesOf(slo!)) {
          expect(checkPromQL(q), q).toEqual({ ok: true });
          expect(checkPromQL(windowQuery(q, 300_000)!), q).toEqual({ ok: true });
          expect(q).toContain("{{window}}");
        }
      }
    },
  );

  it("options are strings to Sloth: a number or a boolean is read as its text, as written", () => {
    const [slo] = slosOf(
      specWith("sloth-common/kubernetes/apiserver/latency", { bucket: "1.0", filter: `'{a="b"}'` }),
    );
    expect(queriesOf(slo!)[0]).toContain('le="1.0"');
  });
});

describe("a Sloth spec with plugins", () => {
  it("expands each plugin into the queries its documentation gives, as events where it counts them", async () => {
    const { set, errors } = await loadSpec([PLUGINS], { env: {}, cwd: ROOT });
    expect(errors.map((e) => e.format())).toEqual([]);
    const slos = new Map(set.services.flatMap((s) => s.slos).map((s) => [s.name, s]));
    expect(slos.get("apiserver-availability")!.indicator).toEqual({
      kind: "ratio",
      source: "prometheus",
      bad: 'sum(increase(apiserver_request_total{job="apiserver",cluster="eu-1",code=~"(5..|429)"}[{{window}}]))',
      total: 'sum(increase(apiserver_request_total{job="apiserver",cluster="eu-1"}[{{window}}]))',
    });
    expect(slos.get("apiserver-latency")!.indicator).toEqual({
      kind: "ratio",
      source: "prometheus",
      bad: 'sum(increase(apiserver_request_duration_seconds_count{job="apiserver",cluster="eu-1",verb!="WATCH"}[{{window}}])) - sum(increase(apiserver_request_duration_seconds_bucket{job="apiserver",cluster="eu-1",le="0.25",verb!="WATCH"}[{{window}}]))',
      total:
        'sum(increase(apiserver_request_duration_seconds_count{job="apiserver",cluster="eu-1",verb!="WATCH"}[{{window}}]))',
    });
    expect(slos.get("traefik-latency")!.indicator).toMatchObject({
      total:
        'sum(increase(traefik_service_request_duration_seconds_count{code!~"5..",service=~"shop@.*"}[{{window}}]))',
    });
    expect(slos.get("targets-up")!.indicator).toEqual({
      kind: "ratio",
      source: "prometheus",
      bad: 'sum(count_over_time((up{job="shop"} == 0)[{{window}}:]))',
      total: 'sum(count_over_time(up{job="shop"}[{{window}}:]))',
    });
    // A plugin that gives a ratio and no counts is weighed by time, as a raw SLI is.
    expect(queriesOf(slos.get("synthetic-burn")!)[0]).toContain(
      "max_over_time(vector(0.002)[{{window}}:])",
    );
  });

  it("slo convert --to native writes the expanded queries", async () => {
    const dir = await convertInto([PLUGINS], "native");
    const text = readFileSync(join(dir, "platform.yaml"), "utf8");
    expect(text).toContain(
      'sum(increase(coredns_dns_responses_total{job="coredns",rcode=~"(SERVFAIL|REFUSED)"}[{{window}}]))',
    );
    expect(text).toContain(
      'sum(increase(istio_requests_total{destination_service_name="checkout",destination_service_namespace="shop"}[{{window}}]))',
    );
    expect(text).not.toContain("sloth-common");
  });

  it("slo rules writes the same rules as the equivalent events SLO", async () => {
    const plugin = specWith("sloth-common/kubernetes/nginx-ingress/availability", {
      filter: 'ingress="shop"',
    });
    const events = [
      'version: "prometheus/v1"',
      "service: s",
      "slos:",
      "  - name: a",
      "    objective: 99.9",
      "    sli:",
      "      events:",
      '        error_query: sum(rate(nginx_ingress_controller_requests{ingress="shop",status=~"(5..|429)"}[{{.window}}]))',
      '        total_query: sum(rate(nginx_ingress_controller_requests{ingress="shop"}[{{.window}}]))',
      "",
    ].join("\n");
    const rulesOf = (text: string) => {
      const { services, errors } = loadText("s.yaml", text, {});
      expect(errors).toEqual([]);
      const set = { files: ["s.yaml"], services };
      return buildRules(set);
    };
    expect(rulesOf(plugin)).toEqual(rulesOf(events));
  });

  it("an unknown option is ignored with a warning, as Sloth ignores it", () => {
    const { services, errors, warnings } = loadText(
      "s.yaml",
      specWith("sloth-common/kubernetes/apiserver/availability", { filtr: 'job="x"' }),
      {},
    );
    expect(errors).toEqual([]);
    expect(services).toHaveLength(1);
    expect(warnings.map((w) => [`${w.file}:${w.line}:${w.col}: ${w.message}`, w.hint])).toEqual([
      [
        "s.yaml:10:11: Sloth spec, SLO 'a': slos[0].sli.plugin.options.filtr: unknown key 'filtr': Sloth ignores it, and so does slo",
        "did you mean 'filter'?",
      ],
    ]);
  });

  it("slo validate on a spec with plugins: valid, exit 0", { timeout: 60_000 }, async () => {
    const r = await runCli(["validate", PLUGINS]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("1 file(s), 8 SLO(s): valid");
  });
});
