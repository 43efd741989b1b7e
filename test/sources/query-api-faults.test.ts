/**
 * `slo check` over a Prometheus source whose server redirects elsewhere,
 * answers too much, or keeps asking to come back later: each against real
 * local servers, each SLO reporting the source error, the run ending 3.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MAX_RESPONSE_BYTES } from "../../src/limits.js";
import type { SloReport } from "../../src/report/schema.js";
import { runCli } from "../support/cli.js";
import {
  promVector,
  type Responder,
  startTestServer,
  type TestServer,
} from "../support/misbehaving-server.js";

const AT = "2026-11-24T12:00:00Z";
const API_KEY = "key-5f5f5f5f5f5f";

let dir = "";
const servers: TestServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-query-api-faults-"));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers.length = 0;
});

async function serve(responder: Responder): Promise<TestServer> {
  const server = await startTestServer(responder);
  servers.push(server);
  return server;
}

/** An SLO file with `count` SLOs on one Prometheus source at PROM_URL. */
function sloFile(count: number, retries: number): string {
  const slos = Array.from(
    { length: count },
    (_, i) => `  - name: api-${i}
    objective: 99%
    window: 1d
    indicator:
      ratio:
        source: prom
        bad: 'http_requests_total{job="api-${i}",code=~"5.."}'
        total: 'http_requests_total{job="api-${i}"}'
`,
  );
  return `service: shop
sources:
  prom:
    type: prometheus
    url: \${PROM_URL}
    headers: { X-Api-Key: "\${API_KEY}" }
    timeout: 5s
    retries: ${retries}
slos:
${slos.join("")}`;
}

async function check(url: string, count: number, retries = 1) {
  const file = join(dir, `slos-${count}-${retries}-${servers.length}.yaml`);
  await writeFile(file, sloFile(count, retries));
  const result = await runCli(["check", file, "--at", AT, "--format", "json"], {
    env: { PROM_URL: url, API_KEY },
  });
  return { ...result, report: JSON.parse(result.stdout) as SloReport };
}

describe("a Prometheus server that redirects to another origin", () => {
  it("is not followed: the other server gets no request, and every SLO reports a source error naming both", async () => {
    // Were it asked, it would answer with data (and keep the key it was sent).
    const other = await serve(() => promVector("1"));
    const first = await serve((req) => ({
      status: 307,
      headers: { location: `${other.url}${req.path}` },
    }));
    const run = await check(first.url, 2);
    expect(other.requests).toEqual([]);
    expect(run.code, run.stderr).toBe(3);
    expect(run.report.slos.map((s) => s.status)).toEqual(["error", "error"]);
    for (const slo of run.report.slos) {
      expect(slo.error!.message).toContain(
        `HTTP 307 redirects from http://127.0.0.1:${new URL(first.url).port} to another origin, http://127.0.0.1:${new URL(other.url).port}: slo does not follow it`,
      );
    }
    expect(run.stdout).not.toContain(API_KEY);
  });
});

describe("a Prometheus server whose answer is over the response cap", () => {
  it("every SLO reports a source error naming the server and the limit; nothing is retried", async () => {
    // It announces one byte over the cap, sends the start and stalls: were the body read,
    // the run would wait for the timeout.
    const queries: string[] = [];
    const server = createServer((req, res) => {
      queries.push(req.url ?? "");
      res.writeHead(200, {
        "content-type": "application/json",
        "content-length": String(MAX_RESPONSE_BYTES + 1),
      });
      res.write('{"status":"success","data":');
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const run = await check(url, 2, 2);
      expect(run.code, run.stderr).toBe(3);
      expect(run.report.slos.map((s) => s.status)).toEqual(["error", "error"]);
      for (const slo of run.report.slos) {
        expect(slo.error!.message).toMatch(
          new RegExp(
            `^prometheus source 'prom' at ${url}/api/v1/query: the answer is larger than 64 MiB, the most slo reads: the server announced 67108865 bytes; query: `,
          ),
        );
      }
      expect(new Set(queries).size).toBe(queries.length);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("a Prometheus server that answers 503 with Retry-After to everything", () => {
  it("costs the run one SLO's retries, not each SLO's: then it is unavailable for the run, and every SLO reports it", async () => {
    const server = await serve(() => ({
      status: 503,
      body: "down for maintenance",
      headers: { "retry-after": "1" },
    }));
    const retries = 2;
    const run = await check(server.url, 6, retries);
    expect(run.code, run.stderr).toBe(3);
    expect(run.report.slos.map((s) => s.status)).toEqual(Array(6).fill("error"));
    for (const slo of run.report.slos) {
      expect(slo.error!.message).toMatch(
        new RegExp(
          `^prometheus source 'prom' at ${server.url}/api/v1/query: (HTTP 503 Service Unavailable: down for maintenance \\(gave up after 3 attempts\\)|not sent: an earlier request was answered HTTP 503 \\(come back later\\) 3 times, so the server is taken to be unavailable for this run); query: `,
        ),
      );
    }
    // The calls in flight at once (8 per source) each tried at most 1 + retries times;
    // before, every query of every SLO was: 6 SLOs times theirs.
    const inFlight = 8;
    expect(server.requests.length).toBeLessThanOrEqual(inFlight * (1 + retries));
  });
});
