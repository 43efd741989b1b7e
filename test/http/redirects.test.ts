/**
 * Redirects and credentials: a redirect to another origin is never followed,
 * so no configured header, token or password reaches a server the user did
 * not name, and that server's answer is never counted. A redirect within the
 * same origin is followed, a bounded number of times.
 */

import { afterEach, describe, expect, it } from "vitest";
import type { HttpClientOptions } from "../../src/http/client.js";
import { MAX_SAME_ORIGIN_REDIRECTS } from "../../src/limits.js";
import {
  json,
  type Responder,
  startTestServer,
  type TestServer,
} from "../support/misbehaving-server.js";
import { failure, testClient } from "./test-client.js";

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers.length = 0;
});

async function serve(responder: Responder): Promise<TestServer> {
  const server = await startTestServer(responder);
  servers.push(server);
  return server;
}

/** Answers every request with the headers it got: a server that would keep a credential. */
const echoHeaders: Responder = (req) => json({ echoed: req.headers });

function client(url: string, overrides: Partial<HttpClientOptions> = {}) {
  return testClient(url, {
    ...{
      timeoutMs: 2000,
      headers: { "X-Api-Key": "key-0123456789" },
      bearerToken: "tok-abcdefghij",
    },
    ...overrides,
  });
}

/** scheme://host:port, as the messages name an origin. */
function originOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:${u.port}`;
}

describe("a redirect to another origin", () => {
  for (const status of [301, 302, 303, 307, 308]) {
    it(`${status}: not followed, no request reaches the other server, a source error names both origins`, async () => {
      const other = await serve(echoHeaders);
      const first = await serve((req) => ({
        status,
        headers: { location: `${other.url}/api/v1${req.path.slice("/api/v1".length)}` },
      }));
      const http = client(first.url);
      const error = await failure(http.requestJson({ path: "/api/v1/query" }));
      expect(other.requests).toEqual([]);
      expect(error.code).toBe("source");
      expect(error.message).toBe(
        `prometheus source 'prom' at ${first.url}/api/v1/query: HTTP ${status} redirects from ${originOf(first.url)} to another origin, ${originOf(other.url)}: slo does not follow it, so that no header or credential goes there`,
      );
      expect(error.hint).toBe(
        `if ${originOf(other.url)} is the server you mean, write it in the url: slo sends credentials only to the server its url names`,
      );
      // Not retried: the server would redirect again.
      expect(first.requests).toHaveLength(1);
    });
  }

  it("to another port of the same host, or from http to https: another origin too", async () => {
    const other = await serve(echoHeaders);
    const first = await serve(() => ({ status: 307, headers: { location: `${other.url}/x` } }));
    await failure(client(first.url).request({ path: "/x" }));
    const tls = await serve(() => ({
      status: 301,
      headers: { location: `https://127.0.0.1:${new URL(first.url).port}/x` },
    }));
    const error = await failure(client(tls.url).request({ path: "/x" }));
    expect(error.message).toContain(
      `to another origin, https://127.0.0.1:${new URL(first.url).port}`,
    );
    expect(other.requests).toEqual([]);
  });

  it("a credential in the redirect's url is not printed", async () => {
    const first = await serve(() => ({
      status: 302,
      headers: { location: "http://user:hunter2-secret@127.0.0.1:9/x?token=tok-in-location" },
    }));
    const error = await failure(client(first.url).request({ path: "/x" }));
    expect(error.message).toContain("to another origin, http://127.0.0.1:9");
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("tok-in-location");
  });
});

describe("a redirect within the same origin", () => {
  it("is followed with the same credentials, and the answer is used", async () => {
    const server = await serve((req) =>
      req.path === "/old/api/v1/query"
        ? { status: 307, headers: { location: "/new/api/v1/query?query=up" } }
        : echoHeaders(req),
    );
    const http = client(`${server.url}/old`);
    const body = (await http.requestJson({ path: "/api/v1/query", params: { query: "up" } })) as {
      echoed: Record<string, string>;
    };
    expect(body.echoed["x-api-key"]).toBe("key-0123456789");
    expect(body.echoed.authorization).toBe("Bearer tok-abcdefghij");
    expect(server.requests.map((r) => r.path)).toEqual(["/old/api/v1/query", "/new/api/v1/query"]);
  });

  it("307 keeps a POST and its body; 303 turns it into a GET", async () => {
    const server = await serve((req) => {
      if (req.path === "/a") return { status: 307, headers: { location: "/b" } };
      if (req.path === "/c") return { status: 303, headers: { location: "/d" } };
      return json({ method: req.method, body: req.body });
    });
    const http = client(server.url);
    expect(await http.requestJson({ path: "/a", form: { query: "up" } })).toEqual({
      method: "POST",
      body: "query=up",
    });
    expect(await http.requestJson({ path: "/c", form: { query: "up" } })).toEqual({
      method: "GET",
      body: "",
    });
  });

  it(`is followed at most ${MAX_SAME_ORIGIN_REDIRECTS} times: a loop is a clear error, not retried`, async () => {
    const server = await serve((req) => ({
      status: 302,
      headers: { location: req.path === "/a" ? "/b" : "/a" },
    }));
    const error = await failure(client(server.url).request({ path: "/a" }));
    expect(error.message).toBe(
      `prometheus source 'prom' at ${server.url}/a: more than ${MAX_SAME_ORIGIN_REDIRECTS} redirects (the last to ${server.url}/a)`,
    );
    expect(server.requests).toHaveLength(MAX_SAME_ORIGIN_REDIRECTS + 1);
  });
});
