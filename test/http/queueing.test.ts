/**
 * How the HTTP helper treats calls that queue for a slot: a call holds its
 * slot through its retries, and once a call has given up on a server that
 * never answers, calls not yet sent fail at once. Without these, a hung
 * server costs every queued call its own timeouts and retries, one batch
 * after another: minutes for a source with a few SLOs.
 */

import { afterEach, describe, expect, it } from "vitest";
import { SloError } from "../../src/errors.js";
import {
  json,
  type Responder,
  startTestServer,
  type TestServer,
} from "../support/misbehaving-server.js";
import { testClient as client } from "./test-client.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function settle(calls: Promise<unknown>[]): Promise<(SloError | unknown)[]> {
  return Promise.all(calls.map((c) => c.catch((error: unknown) => error)));
}

describe("queueing for a slot", () => {
  it("a call keeps its slot through its retries: the calls behind it wait their turn", async () => {
    let first = true;
    const responder: Responder = (req) => {
      if (req.path === "/a" && first) {
        first = false;
        return { status: 503, body: "busy" };
      }
      return json({ path: req.path });
    };
    server = await startTestServer(responder);
    const http = client(server.url, { maxConcurrent: 1 });
    const answers = await Promise.all(
      ["/a", "/b", "/c", "/d"].map((path) => http.requestJson({ path })),
    );
    expect(answers).toEqual([{ path: "/a" }, { path: "/b" }, { path: "/c" }, { path: "/d" }]);
    expect(server.requests.map((r) => r.path)).toEqual(["/a", "/a", "/b", "/c", "/d"]);
  });

  it("once a call gives up on a server that never answers, the calls not yet sent fail at once", async () => {
    server = await startTestServer(() => ({ hang: true }));
    const http = client(server.url, { maxConcurrent: 2, timeoutMs: 200, retries: 1 });
    const start = performance.now();
    const results = await settle(
      Array.from({ length: 10 }, (_, i) => http.request({ path: `/q${i}` })),
    );
    const ms = performance.now() - start;
    // Two calls in flight, each tried twice; the eight behind them are never sent.
    expect(server.requests.map((r) => r.path).sort()).toEqual(["/q0", "/q0", "/q1", "/q1"]);
    for (const r of results) expect(r).toBeInstanceOf(SloError);
    const messages = results.map((r) => (r as SloError).message);
    expect(messages[0]).toBe(
      `prometheus source 'prom' at ${server.url}/q0: timed out after 0.20s (gave up after 2 attempts)`,
    );
    expect(messages[9]).toBe(
      `prometheus source 'prom' at ${server.url}/q9: not sent: an earlier request timed out after 0.20s 2 times, so the server is taken to be unresponsive`,
    );
    expect((results[9] as SloError).hint).toMatch(/raise the source's timeout/);
    // Two rounds of 200 ms and one backoff, not five rounds.
    expect(ms).toBeLessThan(1000);
  });

  it("once a call gives up on a server that keeps saying 'come back later', the other calls stop too", async () => {
    server = await startTestServer(() => ({
      status: 503,
      body: "maintenance",
      headers: { "retry-after": "0.05" },
    }));
    const http = client(server.url, { maxConcurrent: 2, retries: 2 });
    const results = await settle(
      Array.from({ length: 10 }, (_, i) => http.request({ path: `/q${i}` })),
    );
    // Two calls in flight, each tried three times; the eight behind them are never sent.
    expect(server.requests.map((r) => r.path).sort()).toEqual([
      "/q0",
      "/q0",
      "/q0",
      "/q1",
      "/q1",
      "/q1",
    ]);
    for (const r of results) expect(r).toBeInstanceOf(SloError);
    const messages = results.map((r) => (r as SloError).message);
    expect(messages[0]).toBe(
      `prometheus source 'prom' at ${server.url}/q0: HTTP 503 Service Unavailable: maintenance (gave up after 3 attempts)`,
    );
    expect(messages[9]).toBe(
      `prometheus source 'prom' at ${server.url}/q9: not sent: an earlier request was answered HTTP 503 (come back later) 3 times, so the server is taken to be unavailable for this run`,
    );
    expect((results[9] as SloError).hint).toMatch(/try again later/);
  });

  it("a server that answers errors quickly does not stop the calls behind it", async () => {
    server = await startTestServer((req) =>
      req.path === "/bad" ? { status: 500, body: "boom" } : json({ ok: true }),
    );
    const http = client(server.url, { maxConcurrent: 1, retries: 1 });
    const [bad, good] = await settle([
      http.requestJson({ path: "/bad" }),
      http.requestJson({ path: "/good" }),
    ]);
    expect((bad as SloError).message).toMatch(/HTTP 500/);
    expect(good).toEqual({ ok: true });
  });

  it("keeps the limit while calls come and go", async () => {
    let inFlight = 0;
    let most = 0;
    const { createServer } = await import("node:http");
    const slow = createServer((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end("{}");
      }, 20);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const port = (slow.address() as { port: number }).port;
    try {
      const http = client(`http://127.0.0.1:${port}`, { maxConcurrent: 3 });
      // Newcomers arrive while earlier calls finish and hand their slots on.
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 30; i++) {
        calls.push(http.request({ path: "/" }));
        if (i % 5 === 4) await new Promise((resolve) => setTimeout(resolve, 15));
      }
      await Promise.all(calls);
      expect(most).toBe(3);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});
