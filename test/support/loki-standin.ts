/**
 * FOR FAULTS ONLY. Every Loki answer the tests check comes from the real
 * Loki (test/support/loki.ts); this is a local HTTP server at Loki's paths
 * that fails the way a real Loki (or the gateway in front of it) can but
 * will not on demand: it hangs, answers a body that is not Loki's JSON, or
 * answers 5xx. It knows no LogQL and answers no counts.
 */

import { type Reply, startTestServer, type TestServer } from "./misbehaving-server.js";

export type LokiFault =
  /** never answers a query */
  | "hang"
  /** a login page where Loki's JSON should be */
  | "garbage"
  /** 503 with Loki's plain-text body, as while its ring is not ready */
  | "unavailable"
  /** 500 with a plain-text body, as a failing querier */
  | "internal";

const REPLIES: Record<LokiFault, Reply> = {
  hang: { hang: true },
  garbage: {
    status: 200,
    body: "<html><body><h1>Sign in</h1></body></html>",
    headers: { "content-type": "text/html" },
  },
  unavailable: {
    status: 503,
    body: "empty ring\n",
    headers: { "content-type": "text/plain; charset=utf-8" },
  },
  internal: {
    status: 500,
    body: "rpc error: code = Unknown desc = context canceled\n",
    headers: { "content-type": "text/plain; charset=utf-8" },
  },
};

/** A server that answers every query with the fault, and /ready with 200. */
export function startLokiFault(fault: LokiFault): Promise<TestServer> {
  return startTestServer((request) =>
    request.path === "/ready" ? { status: 200, body: "ready" } : REPLIES[fault],
  );
}
