/**
 * Every built-in Sloth SLI plugin evaluated by a real Prometheus (backfilled
 * with promtool): six hours of 1-minute samples of the series each plugin
 * reads, named as the plugin expects, with series its filter or its matchers
 * must leave out. Counters start at 0 at FROM and are sampled at --at, so
 * Prometheus' increase over the 30-day window is exactly the hand count:
 * minutes × the per-minute increments below.
 */

import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import type { SloReport } from "../../src/report/schema.js";
import { buildRules } from "../../src/rules/build.js";
import { renderRules } from "../../src/rules/render.js";
import { ROOT } from "../support/cli.js";
import {
  createBlocks,
  promtoolCheckRules,
  type RunningServer,
  requireBinaries,
  startPrometheus,
  tempDir,
} from "../support/servers.js";
import { evaluate } from "./openslo-roundtrip.js";

/** The time openslo-roundtrip's evaluate judges at. */
const AT = Date.parse("2026-11-24T12:00:00Z");
const MINUTES = 360;
const FROM = AT - MINUTES * 60_000;

interface Case {
  id: string;
  options: Record<string, string>;
  /** counters: series -> increase per minute */
  series: Record<string, number>;
  /** per minute, by hand */
  bad: number;
  total: number;
}

const CASES: Case[] = [
  {
    id: "sloth-common/coredns/availability",
    options: { filter: 'job="coredns"' },
    series: {
      'coredns_dns_responses_total{job="coredns",rcode="NOERROR"}': 30,
      'coredns_dns_responses_total{job="coredns",rcode="SERVFAIL"}': 2,
      'coredns_dns_responses_total{job="coredns",rcode="REFUSED"}': 1,
      'coredns_dns_responses_total{job="other",rcode="SERVFAIL"}': 7,
    },
    bad: 2,
    total: 33,
  },
  {
    id: "sloth-common/coredns/latency",
    options: { bucket: '"0.05"', filter: 'job="coredns"' },
    series: {
      'coredns_dns_request_duration_seconds_bucket{job="coredns",le="0.05"}': 27,
      'coredns_dns_request_duration_seconds_bucket{job="coredns",le="+Inf"}': 30,
      'coredns_dns_request_duration_seconds_count{job="coredns"}': 30,
    },
    bad: 3,
    total: 30,
  },
  {
    id: "sloth-common/haproxy/frontend/availability",
    options: { filter: 'proxy="shop"' },
    series: {
      'haproxy_frontend_http_responses_total{proxy="shop",code="2xx"}': 50,
      'haproxy_frontend_http_responses_total{proxy="shop",code="5xx"}': 5,
      'haproxy_frontend_http_responses_total{proxy="blog",code="5xx"}': 9,
    },
    bad: 5,
    total: 55,
  },
  {
    id: "sloth-common/istio/v1/availability",
    options: { service: "checkout", namespace: "shop" },
    series: {
      'istio_requests_total{destination_service_name="checkout",destination_service_namespace="shop",response_code="200"}': 50,
      'istio_requests_total{destination_service_name="checkout",destination_service_namespace="shop",response_code="503"}': 4,
      'istio_requests_total{destination_service_name="checkout",destination_service_namespace="shop",response_code="429"}': 1,
      'istio_requests_total{destination_service_name="cart",destination_service_namespace="shop",response_code="500"}': 20,
    },
    bad: 5,
    total: 55,
  },
  {
    id: "sloth-common/istio/v1/latency",
    options: { bucket: '"250"', service: "checkout", namespace: "shop", exclude_errors: "true" },
    series: {
      'istio_request_duration_milliseconds_bucket{destination_service_name="checkout",destination_service_namespace="shop",code="200",le="250"}': 45,
      'istio_request_duration_milliseconds_count{destination_service_name="checkout",destination_service_namespace="shop",code="200"}': 50,
      'istio_request_duration_milliseconds_bucket{destination_service_name="checkout",destination_service_namespace="shop",code="500",le="250"}': 10,
      'istio_request_duration_milliseconds_count{destination_service_name="checkout",destination_service_namespace="shop",code="500"}': 10,
    },
    bad: 5,
    total: 50,
  },
  {
    id: "sloth-common/kubernetes/apiserver/availability",
    options: { filter: 'job="apiserver"' },
    series: {
      'apiserver_request_total{job="apiserver",code="200"}': 20,
      'apiserver_request_total{job="apiserver",code="503"}': 1,
      'apiserver_request_total{job="apiserver",code="429"}': 1,
      'apiserver_request_total{job="other",code="500"}': 5,
    },
    bad: 2,
    total: 22,
  },
  {
    id: "sloth-common/kubernetes/apiserver/latency",
    options: { bucket: '"0.25"', filter: 'job="apiserver"' },
    series: {
      'apiserver_request_duration_seconds_bucket{job="apiserver",verb="GET",le="0.25"}': 18,
      'apiserver_request_duration_seconds_count{job="apiserver",verb="GET"}': 20,
      'apiserver_request_duration_seconds_bucket{job="apiserver",verb="WATCH",le="0.25"}': 0,
      'apiserver_request_duration_seconds_count{job="apiserver",verb="WATCH"}': 50,
    },
    bad: 2,
    total: 20,
  },
  {
    id: "sloth-common/kubernetes/kooper/availability",
    options: { controller: "ingress" },
    series: {
      'kooper_controller_processed_event_duration_seconds_count{controller="ingress",success="true"}': 10,
      'kooper_controller_processed_event_duration_seconds_count{controller="ingress",success="false"}': 2,
      'kooper_controller_processed_event_duration_seconds_count{controller="other",success="false"}': 7,
      'kooper_controller_queued_events_total{controller="ingress",requeue="true"}': 2,
      'kooper_controller_queued_events_total{controller="ingress",requeue="false"}': 10,
    },
    bad: 2,
    // requeued events are retries: 12 processed, 2 of them again
    total: 10,
  },
  {
    id: "sloth-common/kubernetes/kooper/latency",
    options: { bucket: '"1"', controller: "ingress" },
    // the _count series are kooper/availability's: 12 a minute for ingress
    series: {
      'kooper_controller_processed_event_duration_seconds_bucket{controller="ingress",le="1"}': 9,
    },
    bad: 3,
    total: 12,
  },
  {
    id: "sloth-common/kubernetes/nginx-ingress/availability",
    options: { filter: 'ingress="shop"' },
    series: {
      'nginx_ingress_controller_requests{ingress="shop",status="200"}': 40,
      'nginx_ingress_controller_requests{ingress="shop",status="502"}': 4,
      'nginx_ingress_controller_requests{ingress="blog",status="500"}': 10,
    },
    bad: 4,
    total: 44,
  },
  {
    id: "sloth-common/linkerd/v2/availability",
    options: { filter: 'deployment="web"' },
    series: {
      'response_total{deployment="web",direction="inbound",classification="success"}': 30,
      'response_total{deployment="web",direction="inbound",classification="failure"}': 3,
      'response_total{deployment="web",direction="outbound",classification="failure"}': 8,
    },
    bad: 3,
    total: 33,
  },
  {
    id: "sloth-common/prometheus/rules/eval-availability",
    options: { filter: 'rule_group="slo"' },
    series: {
      'prometheus_rule_evaluations_total{rule_group="slo"}': 4,
      'prometheus_rule_evaluation_failures_total{rule_group="slo"}': 1,
      'prometheus_rule_evaluations_total{rule_group="other"}': 9,
    },
    bad: 1,
    total: 4,
  },
  {
    id: "sloth-common/slok-go-http-metrics/availability",
    options: { filter: 'handler="/pay"' },
    series: {
      'http_request_duration_seconds_count{handler="/pay",code="200"}': 25,
      'http_request_duration_seconds_count{handler="/pay",code="500"}': 2,
      'http_request_duration_seconds_count{handler="/pay",code="429"}': 1,
      'http_request_duration_seconds_count{handler="/home",code="500"}': 6,
    },
    bad: 3,
    total: 28,
  },
  {
    id: "sloth-common/slok-go-http-metrics/latency",
    options: { bucket: '"0.5"', filter: 'handler="/pay"' },
    // the _count series are slok-go-http-metrics/availability's: 28 a minute for /pay
    series: {
      'http_request_duration_seconds_bucket{handler="/pay",code="200",le="0.5"}': 24,
      'http_request_duration_seconds_bucket{handler="/pay",code="500",le="0.5"}': 2,
      'http_request_duration_seconds_bucket{handler="/pay",code="429",le="0.5"}': 1,
    },
    bad: 1,
    total: 28,
  },
  {
    id: "sloth-common/traefik/v1/availability",
    options: { backend_regex: '"shop.*"' },
    series: {
      'traefik_backend_requests_total{backend="shop-a",code="200"}': 20,
      'traefik_backend_requests_total{backend="shop-b",code="502"}': 2,
      'traefik_backend_requests_total{backend="blog",code="500"}': 9,
    },
    bad: 2,
    total: 22,
  },
  {
    id: "sloth-common/traefik/v1/latency",
    options: { bucket: '"0.3"', backend_regex: '"shop.*"' },
    series: {
      'traefik_backend_request_duration_seconds_bucket{backend="shop-a",le="0.3"}': 17,
      'traefik_backend_request_duration_seconds_count{backend="shop-a"}': 20,
      'traefik_backend_request_duration_seconds_count{backend="blog"}': 8,
    },
    bad: 3,
    total: 20,
  },
  {
    id: "sloth-common/traefik/v2/availability",
    options: { service_name_regex: '"shop@.*"' },
    series: {
      'traefik_service_requests_total{service="shop@docker",code="200"}': 30,
      'traefik_service_requests_total{service="shop@docker",code="503"}': 3,
      // v2 counts 5xx only
      'traefik_service_requests_total{service="shop@docker",code="429"}': 1,
    },
    bad: 3,
    total: 34,
  },
  {
    id: "sloth-common/traefik/v2/latency",
    options: { bucket: '"0.3"', service_name_regex: '"shop@.*"', exclude_errors: "true" },
    series: {
      'traefik_service_request_duration_seconds_bucket{service="shop@docker",code="200",le="0.3"}': 9,
      'traefik_service_request_duration_seconds_count{service="shop@docker",code="200"}': 10,
      'traefik_service_request_duration_seconds_bucket{service="shop@docker",code="500",le="0.3"}': 1,
      'traefik_service_request_duration_seconds_count{service="shop@docker",code="500"}': 5,
    },
    bad: 1,
    total: 10,
  },
];

/** prometheus/targets/availability reads `up`: instance b is down from minute 60 to 120. */
const DOWN = { from: 60, to: 120 };

function openMetrics(): string {
  const byMetric = new Map<string, string[]>();
  const add = (series: string, minute: number, value: number) => {
    const metric = series.slice(0, series.indexOf("{"));
    const lines = byMetric.get(metric) ?? [];
    lines.push(`${series} ${value} ${(FROM + minute * 60_000) / 1000}`);
    byMetric.set(metric, lines);
  };
  const counters = new Map<string, number>();
  for (const c of CASES)
    for (const [s, perMinute] of Object.entries(c.series)) counters.set(s, perMinute);
  for (let minute = 0; minute <= MINUTES; minute++) {
    for (const [s, perMinute] of counters) add(s, minute, perMinute * minute);
    add('up{job="shop",instance="a"}', minute, 1);
    add('up{job="shop",instance="b"}', minute, minute >= DOWN.from && minute < DOWN.to ? 0 : 1);
    add('up{job="other",instance="c"}', minute, 0);
  }
  const out: string[] = [];
  for (const [metric, lines] of byMetric) {
    const counter = metric !== "up";
    // OpenMetrics names a counter's family without _total; the samples keep it.
    const family = counter ? metric.replace(/_total$/, "") : metric;
    out.push(`# TYPE ${family} ${counter && metric.endsWith("_total") ? "counter" : "gauge"}`);
    out.push(...lines);
  }
  out.push("# EOF");
  return `${out.join("\n")}\n`;
}

function spec(): string {
  const slos = [
    ...CASES.map((c, i) => ({ name: `p${i}`, id: c.id, options: c.options })),
    {
      name: "targets",
      id: "sloth-common/prometheus/targets/availability",
      options: { filter: 'job="shop"' },
    },
    { name: "fake", id: "sloth-common/fake", options: { burn_rate: '"2"' } },
    // as the plugin's own tests use it: an error ratio over 1
    {
      name: "fake-jitter",
      id: "sloth-common/fake",
      options: { burn_rate: '"1000"', jitter_percent: '"10"' },
      objective: 99,
    },
  ];
  const lines = ['version: "prometheus/v1"', "service: plugins", "slos:"];
  for (const s of slos) {
    const objective = "objective" in s ? s.objective : 99.9;
    lines.push(`  - name: ${s.name}`, `    objective: ${objective}`, "    sli:", "      plugin:");
    lines.push(`        id: "${s.id}"`, "        options:");
    for (const [k, v] of Object.entries(s.options)) lines.push(`          ${k}: ${v}`);
  }
  return `${lines.join("\n")}\n`;
}

const available = await requireBinaries(["prometheus", "promtool"], "Sloth plugins on Prometheus");

describe.runIf(available)("Sloth SLI plugins on a real Prometheus", () => {
  let server: RunningServer;
  let data: string;
  let report: SloReport;
  let specFile: string;

  beforeAll(async () => {
    data = await tempDir("sloth-plugins-data");
    await createBlocks(openMetrics(), data);
    server = await startPrometheus(data);
    const dir = await tempDir("sloth-plugins-spec");
    specFile = join(dir, "plugins.yaml");
    await writeFile(specFile, spec());
    report = await evaluate([specFile], {
      real: true,
      env: { PROMETHEUS_URL: server.url },
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    if (data) await rm(data, { recursive: true, force: true });
  });

  const sloNamed = (name: string) => report.slos.find((s) => s.name === name)!;

  it.each(CASES.map((c, i) => [c.id, c, i] as const))(
    "%s: Prometheus counts the bad and total events by hand",
    (_id, c, i) => {
      const s = sloNamed(`p${i}`);
      expect(s.error).toBeNull();
      expect(s.events).toEqual({
        good: (c.total - c.bad) * MINUTES,
        bad: c.bad * MINUTES,
        total: c.total * MINUTES,
      });
      // Constant traffic: every burn-rate window sees the same ratio.
      expect(s.burnRates["1h"]).toBeCloseTo(c.bad / c.total / 0.001, 6);
    },
  );

  it("sloth-common/prometheus/targets/availability: each evaluation step a target is down is a bad event", () => {
    const s = sloNamed("targets");
    // 15 s steps (the evaluation interval) from FROM to --at, both ends in: 1441 per instance.
    const steps = (MINUTES * 60) / 15 + 1;
    expect(s.events).toEqual({
      good: 2 * steps - ((DOWN.to - DOWN.from) * 60) / 15,
      bad: ((DOWN.to - DOWN.from) * 60) / 15,
      total: 2 * steps,
    });
  });

  it("sloth-common/fake: burns twice the budget, as its burn_rate says", () => {
    const s = sloNamed("fake");
    expect(s.sli).toBeCloseTo(1 - 2 * 0.001, 9);
    expect(s.burnRates["1h"]).toBeCloseTo(2, 9);
    // 1000 times a 1% budget is an error ratio of 10, jitter or not: slo counts
    // a ratio over 1 as every event bad, the most a budget can burn (1 / 1%).
    const jittered = sloNamed("fake-jitter");
    expect(jittered.error).toBeNull();
    expect(jittered.sli).toBe(0);
    expect(jittered.burnRates["5m"]).toBeCloseTo(100, 6);
  });

  it("slo rules for every plugin pass promtool check rules", { timeout: 60_000 }, async () => {
    const { set, errors } = await loadSpec([specFile], { env: {}, cwd: ROOT });
    expect(errors).toEqual([]);
    const rules = buildRules(set);
    expect(rules.errors).toEqual([]);
    const checked = await promtoolCheckRules(
      renderRules(rules.services, "prometheus", []),
      "prometheus",
    );
    expect(checked.code, checked.output).toBe(0);
  });
});
