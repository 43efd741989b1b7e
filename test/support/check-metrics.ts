/**
 * `slo check` end to end against a real Prometheus-compatible server: an SLO
 * file in a temporary directory, the real CLI in a subprocess, and every
 * number compared with what the server itself answers for the same PromQL.
 * The server sits behind an authenticating gateway (test/support/auth-proxy.ts)
 * that wants Mimir's `/prometheus` prefix, a tenant header and a bearer
 * token, or basic auth: so the credentials are shown to be sent, and the test
 * checks they are never printed.
 *
 * Shared by check-prometheus.test.ts and check-victoriametrics.test.ts: the
 * same test must pass on both, each compared with its own answers
 * (VictoriaMetrics does not extrapolate `increase`).
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SloReport, SloReportEntry } from "../../src/report/schema.js";
import { type AuthProxy, startAuthProxy } from "./auth-proxy.js";
import { type CliResult, hasStackTrace, runCli } from "./cli.js";
import { AT } from "./metrics-history.js";
import { reportSchemaErrors } from "./report-schema.js";

export interface MetricsServer {
  url: string;
  /** stops the server and removes its data */
  stop(): Promise<void>;
}

const AT_TEXT = new Date(AT).toISOString();
const TOTAL = 'http_requests_total{job="ctrl"}';
const BAD = 'http_requests_total{job="ctrl",code=~"5.."}';
const GOOD = 'http_requests_total{job="ctrl",code!~"5.."}';
const BUCKET_300MS = 'http_request_duration_seconds_bucket{job="ctrl",le="0.3"}';
const COUNT = 'http_request_duration_seconds_count{job="ctrl"}';
/** The {{window}} SLO's bad query: 500s and 503s added up by hand, so it cannot be a selector. */
const BAD_QUERY =
  'sum(increase(http_requests_total{job="ctrl",code="500"}[{{window}}])) + sum(increase(http_requests_total{job="ctrl",code="503"}[{{window}}]))';
const TOTAL_QUERY = 'sum(increase(http_requests_total{job="ctrl"}[{{window}}]))';

/** Secrets that must reach the server and never the output. */
const TOKEN = "tok-9f8e7d6c5b4a3921";
const TENANT = "team-a";
const USER = "slo-reader";
const PASSWORD = "pw-Zq81-not-for-print";
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString("base64");
const SECRETS = [TOKEN, PASSWORD, BASIC];

/**
 * Two sources on the same server: `metrics` with a bearer token and a tenant
 * header (a Mimir setup), `metrics-basic` with basic auth. Each SLO kind the
 * prometheus source has: counter selectors (bad, and good), a full query with
 * {{window}}, a classic histogram, and timeslices (query_range in chunks).
 */
const SLO_FILE = `service: ctrl
sources:
  metrics:
    type: prometheus
    url: \${METRICS_URL}
    bearerToken: \${METRICS_TOKEN}
    headers: { X-Scope-OrgID: "\${METRICS_TENANT}" }
    timeout: 20s
    retries: 1
  metrics-basic:
    type: prometheus
    url: \${METRICS_URL}
    basicAuth: { username: "\${METRICS_USER}", password: "\${METRICS_PASSWORD}" }
slos:
  - name: availability
    objective: 99.9%
    window: 30d
    breakdownBy: code
    indicator:
      ratio:
        source: metrics
        bad: '${BAD}'
        total: '${TOTAL}'
  - name: availability-good
    objective: 99.5%
    window: 28d
    indicator:
      ratio:
        source: metrics-basic
        good: '${GOOD}'
        total: '${TOTAL}'
  - name: availability-query
    objective: 99.9%
    window: 30d
    indicator:
      ratio:
        source: metrics
        bad: '${BAD_QUERY}'
        total: '${TOTAL_QUERY}'
  - name: latency
    objective: 90%
    window: 30d
    indicator:
      latency:
        source: metrics-basic
        histogram: 'http_request_duration_seconds{job="ctrl"}'
        threshold: 300ms
  - name: availability-slices
    objective: 99.9%
    window: 30d
    budgetingMethod: timeslices
    timesliceWindow: 1m
    timesliceTarget: 99%
    indicator:
      ratio:
        source: metrics
        bad: '${BAD}'
        total: '${TOTAL}'
`;

/** What an SLO's error ratio is, in PromQL, for a window of `range`. */
const ERROR_RATIO: Record<string, (range: string) => string> = {
  availability: (w) => `sum(increase(${BAD}[${w}])) / sum(increase(${TOTAL}[${w}]))`,
  "availability-good": (w) => `1 - sum(increase(${GOOD}[${w}])) / sum(increase(${TOTAL}[${w}]))`,
  "availability-query": (w) =>
    `(${BAD_QUERY.replaceAll("{{window}}", w)}) / (${TOTAL_QUERY.replaceAll("{{window}}", w)})`,
  latency: (w) => `1 - sum(increase(${BUCKET_300MS}[${w}])) / sum(increase(${COUNT}[${w}]))`,
};

/** Minutes of the two incidents of test/support/metrics-history.ts: 2 h and 40 min. */
const INCIDENT_MINUTES = 120 + 40;

export function describeCheckAgainst(
  name: string,
  available: boolean,
  start: () => Promise<MetricsServer>,
): void {
  describe.skipIf(!available)(`slo check against a real ${name}`, () => {
    let server: MetricsServer | undefined;
    let proxy: AuthProxy | undefined;
    let dir = "";
    let run: CliResult;
    let report: SloReport;

    const env = (overrides: Record<string, string> = {}) => ({
      METRICS_URL: `${proxy!.url}/prometheus`,
      METRICS_TOKEN: TOKEN,
      METRICS_TENANT: TENANT,
      METRICS_USER: USER,
      METRICS_PASSWORD: PASSWORD,
      ...overrides,
    });

    beforeAll(async () => {
      server = await start();
      proxy = await startAuthProxy(server.url, {
        prefix: "/prometheus",
        accept: (h) => {
          if (h.authorization === `Bearer ${TOKEN}` && h["x-scope-orgid"] === TENANT)
            return "bearer";
          if (h.authorization === `Basic ${BASIC}`) return "basic";
          return null;
        },
      });
      dir = await mkdtemp(join(tmpdir(), "slo-check-metrics-"));
      await writeFile(join(dir, "slos.yaml"), SLO_FILE);
      run = await runCli(["check", join(dir, "slos.yaml"), "--at", AT_TEXT, "--format", "json"], {
        env: env(),
      });
      report = JSON.parse(run.stdout) as SloReport;
    });

    afterAll(async () => {
      await proxy?.close();
      await server?.stop();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** The server's own answer, asked directly (not through slo or the gateway). */
    async function serverValue(query: string, atMs = AT): Promise<number> {
      const params = new URLSearchParams({ query, time: String(atMs / 1000) });
      const response = await fetch(`${server!.url}/api/v1/query?${params}`);
      const body = (await response.json()) as {
        status: string;
        data: { result: { value: [number, string] }[] };
      };
      expect(body.status, query).toBe("success");
      expect(body.data.result, query).toHaveLength(1);
      return Number(body.data.result[0]!.value[1]);
    }

    const entry = (slo: string): SloReportEntry => {
      const found = report.slos.find((s) => s.name === slo);
      expect(found, slo).toBeDefined();
      return found!;
    };

    const closeTo = (ours: number | null, theirs: number, what: string) => {
      expect(ours, what).not.toBeNull();
      expect(Math.abs(ours! - theirs), `${what}: ${ours} vs ${theirs}`).toBeLessThanOrEqual(
        1e-9 * Math.max(1, Math.abs(theirs)),
      );
    };

    it("exits by the gate, writes a report the schema accepts, and prints no stack trace", () => {
      expect(run.stderr).toBe("");
      expect(hasStackTrace(run.stdout + run.stderr)).toBe(false);
      expect(reportSchemaErrors(report)).toEqual([]);
      expect(report.evaluatedAt).toBe(AT_TEXT);
      // The last 40 minutes burn at 50x: the availability SLOs page.
      expect(entry("availability").status).toBe("breaching");
      expect(report.result).toBe("fail");
      expect(run.code).toBe(1);
      for (const s of report.slos) expect(s.error, s.name).toBeNull();
    });

    it("the SLI is the server's own 1 - sum(increase(bad[30d])) / sum(increase(total[30d])) at --at, to 1e-9", async () => {
      closeTo(
        entry("availability").sli,
        await serverValue(`1 - sum(increase(${BAD}[30d])) / sum(increase(${TOTAL}[30d]))`),
        "availability sli",
      );
      closeTo(
        entry("availability-good").sli,
        await serverValue(`sum(increase(${GOOD}[28d])) / sum(increase(${TOTAL}[28d]))`),
        "availability-good sli",
      );
      closeTo(
        entry("latency").sli,
        await serverValue(`sum(increase(${BUCKET_300MS}[30d])) / sum(increase(${COUNT}[30d]))`),
        "latency sli",
      );
    });

    it.each(Object.keys(ERROR_RATIO))(
      "%s: each burn rate is the server's PromQL error ratio of its window / the budget",
      async (slo) => {
        const e = entry(slo);
        const budget = 1 - e.objective;
        const own = e.window.kind === "rolling" ? e.window.duration : "";
        const keys = Object.keys(e.burnRates);
        expect([...keys].sort()).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d", own].sort());
        for (const key of keys) {
          const theirs = await serverValue(ERROR_RATIO[slo]!(key));
          closeTo(e.burnRates[key]!, theirs / budget, `${slo} burn rate ${key}`);
        }
        // The events are the server's counts too, not only their ratio.
        const total = await serverValue(
          `sum(increase(${slo === "latency" ? COUNT : TOTAL}[${own}]))`,
        );
        closeTo(e.events.total, total, `${slo} total events`);
      },
    );

    it("a {{window}} query follows every window, as its selector twin does", () => {
      const byQuery = entry("availability-query");
      const bySelector = entry("availability");
      for (const key of Object.keys(bySelector.burnRates)) {
        closeTo(byQuery.burnRates[key]!, bySelector.burnRates[key]!, `burn rate ${key}`);
      }
    });

    it("latency comes from the le bucket at the threshold: 95% fast, 60% in the slow last 40 minutes", () => {
      const e = entry("latency");
      expect(e.sli).toBeGreaterThan(0.94);
      // 40% slow over the last 30 minutes against a 10% budget.
      closeTo(e.burnRates["30m"]!, 4, "latency 30m");
    });

    it("timeslices count 1-minute slices with query_range in chunks: the incidents' minutes are bad", () => {
      const e = entry("availability-slices");
      expect(e.timeslices).toEqual({ good: 30 * 24 * 60 - INCIDENT_MINUTES, total: 30 * 24 * 60 });
      const ranges = proxy!.requests.filter((r) => r.path.endsWith("/api/v1/query_range"));
      // 43,200 slices, twice (this window and the one before), in queries of at most 11,000 points.
      for (const r of ranges) {
        const points =
          (Number(r.params.get("end")) - Number(r.params.get("start"))) /
            Number(r.params.get("step")) +
          1;
        expect(points).toBeLessThanOrEqual(11_000);
      }
      const slices = ranges.filter((r) => r.params.get("step") === "60");
      expect(slices.length).toBe(2 * 2 * Math.ceil(43_200 / 10_000));
    });

    it("breaks the bad events down by the label asked for, with the server's counts", async () => {
      const { breakdown } = entry("availability");
      expect(breakdown).toMatchObject([{ value: "500" }, { value: "503" }]);
      closeTo(
        breakdown[0]!.count,
        await serverValue('sum(increase(http_requests_total{job="ctrl",code="500"}[30d]))'),
        "500s",
      );
    });

    it("the burn-down ends where the budget is", () => {
      const e = entry("availability");
      expect(e.burnDown).toHaveLength(120);
      expect(e.burnDown.at(-1)!.remaining).toBeCloseTo(e.errorBudget.remaining, 6);
    });

    it("asks at --at, never now: every instant query has time=, one per window and count", () => {
      const instants = proxy!.requests.filter((r) => r.path.endsWith("/api/v1/query"));
      expect(instants.length).toBeGreaterThan(0);
      const atSeconds = (AT / 1000).toFixed(3);
      const previous28 = ((AT - 28 * 86_400_000) / 1000).toFixed(3);
      const previous30 = ((AT - 30 * 86_400_000) / 1000).toFixed(3);
      for (const r of instants) {
        expect([atSeconds, previous28, previous30], r.params.get("query") ?? "").toContain(
          r.params.get("time"),
        );
      }
      for (const r of proxy!.requests.filter((q) => q.path.endsWith("/api/v1/query_range"))) {
        expect(Number(r.params.get("end"))).toBeLessThanOrEqual(AT / 1000);
      }
      // No more than one query per window and numerator/denominator: 9 windows (5m 30m 1h 2h
      // 6h 1d 3d, the SLO's own and the one before it) x 2, and 2 query_range for the burn-down
      // and 2 for how much of the previous window has data (the trend needs most of it).
      expect(entry("availability-good").diagnostics.queries).toBe(9 * 2 + 2 + 2);
      // Plus one for the breakdown.
      expect(entry("availability").diagnostics.queries).toBe(9 * 2 + 2 + 2 + 1);
    });

    it("sends the credentials, several queries at once under the limit of 8 per source", () => {
      expect(proxy!.requests.length).toBeGreaterThan(0);
      expect(proxy!.requests.filter((r) => r.client === null)).toEqual([]);
      expect(new Set(proxy!.requests.map((r) => r.client))).toEqual(new Set(["bearer", "basic"]));
      for (const client of ["bearer", "basic"]) {
        expect(proxy!.maxInFlight(client), client).toBeGreaterThan(1);
        expect(proxy!.maxInFlight(client), client).toBeLessThanOrEqual(8);
      }
    });

    it("never prints a credential", () => {
      for (const secret of SECRETS) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
    });

    it("a threshold that is no bucket and a refused token are errors for their SLOs only; the rest is reported, exit 3", async () => {
      const file = join(dir, "errors.yaml");
      await writeFile(
        file,
        `service: ctrl
sources:
  metrics: { type: prometheus, url: "\${METRICS_URL}", bearerToken: "\${METRICS_TOKEN}", headers: { X-Scope-OrgID: "\${METRICS_TENANT}" }, retries: 0 }
  metrics-basic: { type: prometheus, url: "\${METRICS_URL}", basicAuth: { username: "\${METRICS_USER}", password: "\${METRICS_PASSWORD}" } }
slos:
  - name: latency-350ms
    objective: 90%
    window: 30d
    indicator: { latency: { source: metrics-basic, histogram: 'http_request_duration_seconds{job="ctrl"}', threshold: 350ms } }
  - name: wrong-token
    objective: 99%
    window: 1d
    indicator: { ratio: { source: metrics, bad: '${BAD}', total: '${TOTAL}' } }
  - name: fine
    objective: 50%
    window: 1d
    indicator: { ratio: { source: metrics-basic, bad: '${BAD}', total: '${TOTAL}' } }
`,
      );
      const wrong = "tok-wrong-0123456789";
      const r = await runCli(["check", file, "--at", AT_TEXT, "--format", "json"], {
        env: env({ METRICS_TOKEN: wrong }),
      });
      expect(r.code, r.stderr).toBe(3);
      expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
      const errors = JSON.parse(r.stdout) as SloReport;
      expect(reportSchemaErrors(errors)).toEqual([]);
      const byName = Object.fromEntries(errors.slos.map((s) => [s.name, s]));
      expect(byName["latency-350ms"]!.status).toBe("error");
      expect(byName["latency-350ms"]!.error).toEqual({
        source: "metrics-basic",
        message: `SLO 'latency-350ms': histogram http_request_duration_seconds{job="ctrl"} has no bucket at the threshold 350ms (le="0.35", in s); its buckets are le = 0.1, 0.25, 0.3, 0.5, 1, +Inf`,
      });
      expect(byName["wrong-token"]!.status).toBe("error");
      expect(byName["wrong-token"]!.error!.message).toMatch(
        new RegExp(
          `^prometheus source 'metrics' at ${proxy!.url}/prometheus/api/v1/query: HTTP 401 Unauthorized: unauthorized: unauthorized; query: `,
        ),
      );
      expect(byName.fine!.status).toBe("ok");
      expect(byName.fine!.events.total).toBeGreaterThan(0);
      for (const secret of [...SECRETS, wrong]) expect(r.stdout + r.stderr).not.toContain(secret);
    });
  });
}
