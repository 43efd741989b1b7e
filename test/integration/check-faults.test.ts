/**
 * `slo check` when a metrics source misbehaves, one test per fault, each
 * against a real local server that misbehaves on purpose
 * (test/support/misbehaving-server.ts): it refuses connections, hangs,
 * answers 5xx, answers something that is not JSON, or has no series.
 *
 * The SLO file has two sources: the misbehaving one (credentials in its url,
 * query string and headers) and a healthy logs source. Whatever the fault:
 * the message names the source and its url with the credentials removed; no
 * credential is ever printed; the healthy SLO is still evaluated and
 * reported; retries are bounded, so the run ends in bounded time; exit 3, or
 * what --on-source-error says.
 *
 * No series is not an error: the SLO has no data (status no-data, which does
 * not fail the gate), and a note says the metric does not exist there.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, type ExpectStatic, it } from "vitest";
import type { SloReport } from "../../src/report/schema.js";
import { type CliResult, hasStackTrace, runCli } from "../support/cli.js";
import {
  json,
  malformedJson,
  promVector,
  type Reply,
  refusingUrl,
  startTestServer,
  type TestServer,
} from "../support/misbehaving-server.js";
import { reportSchemaErrors } from "../support/report-schema.js";

const AT = "2026-11-24T12:00:00Z";
const AT_MS = Date.parse(AT);

/** Each attempt's timeout and the retries after the first, as the SLO file sets them. */
const TIMEOUT_MS = 1000;
const RETRIES = 2;
/** Backoff before the 2nd and 3rd attempts: at most 250 ms and 500 ms. */
const MAX_BACKOFF_MS = 250 + 500;
/** Starting node and everything that is not waiting on the server, on a busy CI machine. */
const SLACK_MS = 20_000;
/** What the server sees: the requests of one run, from first to last. */
const SERVER_SLACK_MS = 1000;

const USER = "svc-reader";
const PASSWORD = "pw-Lk29-do-not-print";
const API_KEY = "key-77aa66bb55cc";
const TOKEN = "tok-ffee0011ddcc2233";
const SECRETS = [
  USER,
  PASSWORD,
  API_KEY,
  TOKEN,
  Buffer.from(`${USER}:${PASSWORD}`).toString("base64"),
];

const SLO_FILE = `service: shop
sources:
  flaky:
    type: prometheus
    url: \${FLAKY_URL}
    headers: { X-Api-Token: "\${FLAKY_TOKEN}" }
    timeout: ${TIMEOUT_MS}ms
    retries: ${RETRIES}
  logs:
    type: logs
    paths: [events.ndjson]
slos:
  - name: checkout-availability
    objective: 99%
    window: 1d
    indicator:
      ratio:
        source: flaky
        bad: 'http_requests_total{job="checkout",code=~"5.."}'
        total: 'http_requests_total{job="checkout"}'
  - name: login-availability
    objective: 99%
    window: 1d
    indicator:
      ratio:
        source: logs
        total: '| json | msg = "login"'
        bad: '| json | msg = "login" | status >= 500'
  - name: search-availability
    objective: 99%
    window: 1d
    indicator:
      ratio:
        source: flaky
        bad: 'http_requests_total{job="search",code=~"5.."}'
        total: 'http_requests_total{job="search"}'
`;

/** 48 good logins over the last 12 hours. */
const EVENTS = Array.from({ length: 48 }, (_, i) =>
  JSON.stringify({
    t: new Date(AT_MS - i * 15 * 60_000).toISOString(),
    msg: "login",
    status: 200,
  }),
).join("\n");

let dir = "";
const servers: TestServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-check-faults-"));
  await writeFile(join(dir, "slos.yaml"), SLO_FILE);
  await writeFile(join(dir, "events.ndjson"), `${EVENTS}\n`);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Fault = Reply | "refuse";

interface Run extends CliResult {
  ms: number;
  /** the url as it should be printed: no user:pass@, the api key masked */
  shownUrl: string;
  server: TestServer | undefined;
}

/** One `slo check` against its own server misbehaving as told. */
async function check(fault: Fault, args: string[]): Promise<Run> {
  let base: string;
  let server: TestServer | undefined;
  if (fault === "refuse") {
    base = await refusingUrl();
  } else {
    server = await startTestServer(() => fault);
    servers.push(server);
    base = server.url;
  }
  const url = `${base.replace("http://", `http://${USER}:${PASSWORD}@`)}/prom?api_key=${API_KEY}`;
  const start = performance.now();
  const result = await runCli(["check", join(dir, "slos.yaml"), "--at", AT, ...args], {
    env: { FLAKY_URL: url, FLAKY_TOKEN: TOKEN },
  });
  return {
    ...result,
    ms: performance.now() - start,
    shownUrl: `${base}/prom/api/v1/query?api_key=***`,
    server,
  };
}

interface Runs {
  byDefault: Run;
  pass?: Run | undefined;
  fail?: Run | undefined;
}

/** The fault by default (JSON), and if asked with --on-source-error pass (text) and fail (JSON). */
async function checkFault(fault: Fault, passAndFail: boolean): Promise<Runs> {
  const [byDefault, pass, fail] = await Promise.all([
    check(fault, ["--format", "json"]),
    passAndFail ? check(fault, ["--format", "text", "--on-source-error", "pass"]) : undefined,
    passAndFail ? check(fault, ["--format", "json", "--on-source-error", "fail"]) : undefined,
  ]);
  return { byDefault, pass, fail };
}

function expectNoSecrets(expect: ExpectStatic, run: CliResult): void {
  for (const secret of SECRETS) {
    expect(run.stdout, secret).not.toContain(secret);
    expect(run.stderr, secret).not.toContain(secret);
  }
  expect(hasStackTrace(run.stdout + run.stderr)).toBe(false);
}

/** The failed SLOs, the healthy one, and the run's verdict, for each run. */
function expectFault(expect: ExpectStatic, runs: Runs, problem: RegExp): void {
  const { byDefault, pass, fail } = runs;
  const message = (run: Run) =>
    new RegExp(
      `^prometheus source 'flaky' at ${escapeRegex(run.shownUrl)}: ${problem.source}; query: sum\\(increase\\(http_requests_total\\{job="checkout"`,
    );

  expect(byDefault.code, byDefault.stderr).toBe(3);
  const report = JSON.parse(byDefault.stdout) as SloReport;
  expect(reportSchemaErrors(report)).toEqual([]);
  const [flaky, healthy, other] = report.slos;
  expect(flaky!.name).toBe("checkout-availability");
  expect(flaky!.status).toBe("error");
  expect(flaky!.error!.source).toBe("flaky");
  expect(flaky!.error!.message).toMatch(message(byDefault));
  expect(other!.name).toBe("search-availability");
  expect(other!.status).toBe("error");
  expect(other!.error!.message).toMatch(
    new RegExp(`^prometheus source 'flaky' at ${escapeRegex(byDefault.shownUrl)}: `),
  );
  // The other source is read and its SLO reported as if nothing happened.
  expect(healthy!.name).toBe("login-availability");
  expect(healthy!.status).toBe("ok");
  expect(healthy!.events).toEqual({ good: 48, bad: 0, total: 48 });
  expect(report.result).toBe("unknown");

  if (pass) {
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/checkout-availability .* ! error/);
    expect(pass.stdout).toMatch(/search-availability .* ! error/);
    expect(pass.stdout).toMatch(/login-availability .* ✔ ok/);
    const line = pass.stdout.split("\n").find((l) => l.includes("checkout-availability: source"));
    expect(line?.replace("  checkout-availability: source flaky: ", "")).toMatch(message(pass));
  }
  if (fail) {
    expect(fail.code, fail.stderr).toBe(1);
    expect((JSON.parse(fail.stdout) as SloReport).result).toBe("fail");
  }
  for (const run of [byDefault, pass, fail]) if (run) expectNoSecrets(expect, run);
}

/** No run waits longer than every attempt of one query, its backoff, and slack. */
function expectBounded(expect: ExpectStatic, runs: Runs, attemptMs: number): void {
  const bound = (RETRIES + 1) * attemptMs + MAX_BACKOFF_MS + SLACK_MS;
  for (const run of [runs.byDefault, runs.pass, runs.fail]) {
    if (run) expect(run.ms).toBeLessThan(bound);
  }
}

/** Attempts per distinct query: never more than the first and the retries. */
function expectRetriesBounded(expect: ExpectStatic, server: TestServer | undefined): void {
  expect(server).toBeDefined();
  const attempts = new Map<string, number>();
  for (const r of server!.requests) {
    const key = `${r.path}?${r.params.get("query")}@${r.params.get("time")}`;
    attempts.set(key, (attempts.get(key) ?? 0) + 1);
  }
  expect(Math.max(...attempts.values())).toBe(RETRIES + 1);
  // Credentials reach the server: the header as written, user:pass@ as basic auth.
  const first = server!.requests[0]!;
  expect(first.headers["x-api-token"]).toBe(TOKEN);
  expect(first.headers.authorization).toBe(
    `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`,
  );
  expect(first.params.get("api_key")).toBe(API_KEY);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Each test has servers of its own: they run at once, and the file takes as long as the slowest.
describe.concurrent("slo check with a misbehaving metrics source", () => {
  it("refuses connections: retried, then a clear error; the logs SLO is still reported", async ({
    expect,
  }) => {
    const runs = await checkFault("refuse", true);
    expectFault(expect, runs, /connection refused \(gave up after 3 attempts\)/);
    expectBounded(expect, runs, 0);
  });

  it("hangs: every attempt times out, retried a bounded number of times", async ({ expect }) => {
    const runs = await checkFault({ hang: true }, false);
    expectFault(expect, runs, /timed out after 1s \(gave up after 3 attempts\)/);
    // The other SLO's queries, queued behind, are not sent to a server that does not answer.
    const report = JSON.parse(runs.byDefault.stdout) as SloReport;
    expect(report.slos[2]!.error!.message).toContain(
      ": not sent: an earlier request timed out after 1s 3 times, so the server is taken to be unresponsive; query: ",
    );
    expectBounded(expect, runs, TIMEOUT_MS);
    // Three attempts of a second each: it did wait, and not forever.
    expect(runs.byDefault.ms).toBeGreaterThanOrEqual((RETRIES + 1) * TIMEOUT_MS);
    expectRetriesBounded(expect, runs.byDefault.server);
    // The server hears from slo for one query's attempts and backoff, no longer: the
    // queries queued behind those that timed out are not sent at all.
    const times = runs.byDefault.server!.requests.map((r) => r.at);
    expect(Math.max(...times) - Math.min(...times)).toBeLessThan(
      RETRIES * TIMEOUT_MS + MAX_BACKOFF_MS + SERVER_SLACK_MS,
    );
  });

  it("answers 503: retried with backoff, then the status and what the server said", async ({
    expect,
  }) => {
    const runs = await checkFault({ status: 503, body: "upstream connect error" }, true);
    expectFault(
      expect,
      runs,
      /HTTP 503 Service Unavailable: upstream connect error \(gave up after 3 attempts\)/,
    );
    expectBounded(expect, runs, 0);
    expectRetriesBounded(expect, runs.byDefault.server);
  });

  it("answers something that is not JSON: said plainly, not retried", async ({ expect }) => {
    const runs = await checkFault(malformedJson, false);
    expectFault(
      expect,
      runs,
      /malformed JSON in the response \(HTTP 200, text\/html\): Sign in Please log in to continue/,
    );
    expectBounded(expect, runs, 0);
  });

  it("has no series: no data, not an error, and a note that the metric does not exist there", async ({
    expect,
  }) => {
    // Label values, instant queries and query_range: all empty, as for a metric never scraped.
    const server = await startTestServer((req) =>
      req.path.includes("/label/")
        ? json({ status: "success", data: [] })
        : req.path.endsWith("/query_range")
          ? json({ status: "success", data: { resultType: "matrix", result: [] } })
          : promVector(),
    );
    servers.push(server);
    const url = `${server.url.replace("http://", `http://${USER}:${PASSWORD}@`)}/prom?api_key=${API_KEY}`;
    const env = { FLAKY_URL: url, FLAKY_TOKEN: TOKEN };
    const file = join(dir, "slos.yaml");
    const [asJson, asText] = await Promise.all([
      runCli(["check", file, "--at", AT, "--format", "json"], { env }),
      runCli(["check", file, "--at", AT], { env }),
    ]);
    const note = new RegExp(
      `^prometheus source 'flaky' at ${escapeRegex(server.url)}/prom\\?api_key=\\*\\*\\*: http_requests_total\\{job="checkout"\\} has no series between 2026-11-21T12:00:00\\.000Z and 2026-11-24T12:00:00\\.000Z: is the metric name or a label misspelt\\?$`,
    );

    expect(asJson.code, asJson.stderr).toBe(0);
    const report = JSON.parse(asJson.stdout) as SloReport;
    expect(reportSchemaErrors(report)).toEqual([]);
    const [flaky, healthy, other] = report.slos;
    expect(other!.status).toBe("no-data");
    expect(flaky!.status).toBe("no-data");
    expect(flaky!.sli).toBeNull();
    expect(flaky!.error).toBeNull();
    expect(flaky!.diagnostics.notes).toHaveLength(1);
    expect(flaky!.diagnostics.notes[0]).toMatch(note);
    expect(healthy!.status).toBe("ok");

    expect(asText.code).toBe(0);
    expect(asText.stdout).toMatch(/checkout-availability .* ○ no data/);
    const line = asText.stdout
      .split("\n")
      .find((l) => l.startsWith("  checkout-availability: ") && l.includes("has no series"));
    expect(line?.replace("  checkout-availability: ", "")).toMatch(note);
    for (const run of [asJson, asText]) expectNoSecrets(expect, run);
  });
});
