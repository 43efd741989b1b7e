import { afterEach, describe, expect, it } from "vitest";
import { parseRetryAfter, redactText, redactUrl, secretValues } from "../../src/http/client.js";
import {
  json,
  malformedJson,
  type Reply,
  refusingUrl,
  sequence,
  startTestServer,
  type TestServer,
} from "../support/misbehaving-server.js";
import { testClient as client, failure } from "./test-client.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(...replies: Reply[]): Promise<TestServer> {
  server = await startTestServer(sequence(...replies));
  return server;
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await f();
  return [value, performance.now() - start];
}

describe("requests", () => {
  it("sends params, custom headers and a bearer token, and returns the body", async () => {
    const s = await serve(json({ hello: "world" }));
    const http = client(`${s.url}/prefix/`, {
      headers: { "X-Custom": "yes" },
      bearerToken: "tok-123456",
    });
    const body = await http.requestJson({
      path: "/api/v1/query",
      params: { query: "up", "match[]": ["a", "b"] },
    });
    expect(body).toEqual({ hello: "world" });
    const [req] = s.requests;
    expect(req?.path).toBe("/prefix/api/v1/query");
    expect(req?.params.get("query")).toBe("up");
    expect(req?.params.getAll("match[]")).toEqual(["a", "b"]);
    expect(req?.headers["x-custom"]).toBe("yes");
    expect(req?.headers.authorization).toBe("Bearer tok-123456");
  });

  it("turns user:pass@ in the url into basic auth (fetch refuses such URLs)", async () => {
    const s = await serve(json({}));
    const url = s.url.replace("http://", "http://alice:s3cret!@");
    await client(url).requestJson({ path: "/x" });
    const expected = `Basic ${Buffer.from("alice:s3cret!").toString("base64")}`;
    expect(s.requests[0]?.headers.authorization).toBe(expected);
  });

  it("sends basic auth from basicAuth", async () => {
    const s = await serve(json({}));
    await client(s.url, { basicAuth: { username: "bob", password: "hunter22" } }).request({
      path: "/",
    });
    expect(s.requests[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from("bob:hunter22").toString("base64")}`,
    );
  });

  it("posts a form body", async () => {
    const s = await serve(json({ ok: true }));
    await client(s.url).requestJson({
      path: "/api/v1/query",
      form: { query: 'sum(x{a="b"})', time: "1.5" },
    });
    const [req] = s.requests;
    expect(req?.method).toBe("POST");
    expect(req?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(new URLSearchParams(req?.body).get("query")).toBe('sum(x{a="b"})');
  });

  it("keeps at most maxConcurrent requests in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const { createServer } = await import("node:http");
    const slow = createServer((_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      setTimeout(() => {
        inFlight--;
        res.end("{}");
      }, 50);
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    const port = (slow.address() as { port: number }).port;
    try {
      const http = client(`http://127.0.0.1:${port}`, { maxConcurrent: 2 });
      await Promise.all(Array.from({ length: 6 }, () => http.request({ path: "/" })));
      expect(most).toBe(2);
    } finally {
      slow.close();
    }
  });
});

/** A server that answers `{}` after `ms`; close() drops its connections too. */
async function slowServer(ms: number): Promise<{ url: string; close(): void }> {
  const { createServer } = await import("node:http");
  const server = createServer((_req, res) => {
    setTimeout(() => res.end("{}"), ms);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe("time limits", () => {
  it("a timeout longer than a Node timer holds (30 days) waits, rather than timing out at once", async () => {
    const slow = await slowServer(50);
    try {
      const http = client(slow.url, { timeoutMs: 30 * 86_400_000, retries: 0 });
      expect(await http.requestJson({ path: "/" })).toEqual({});
    } finally {
      slow.close();
    }
  });

  it("a request waiting for a slot behind others does not spend its own time limit", async () => {
    const slow = await slowServer(150);
    try {
      const http = client(slow.url, {
        maxConcurrent: 1,
        timeoutMs: 400,
        retries: 0,
        deadlineMs: 450,
      });
      // One at a time, 150 ms each: the fourth starts after 450 ms in the queue.
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => http.requestJson({ path: "/" })),
      );
      expect(answers).toEqual([{}, {}, {}, {}]);
    } finally {
      slow.close();
    }
  });
});

describe("failures", () => {
  it("connection refused: retried a bounded number of times, then a clear error", async () => {
    const url = await refusingUrl();
    const [error, ms] = await timed(() => failure(client(url).request({ path: "/api/v1/query" })));
    expect(error.code).toBe("source");
    expect(error.message).toBe(
      `prometheus source 'prom' at ${url}/api/v1/query: connection refused (gave up after 3 attempts)`,
    );
    expect(error.hint).toMatch(/is the server running/);
    // 3 attempts and 2 waits of at most 40 ms each.
    expect(ms).toBeLessThan(1000);
  });

  it("a server that never answers: each attempt times out, and the call ends in known time", async () => {
    const s = await serve({ hang: true });
    const [error, ms] = await timed(() =>
      failure(client(s.url, { timeoutMs: 200, retries: 1 }).request({ path: "/q" })),
    );
    expect(error.message).toBe(
      `prometheus source 'prom' at ${s.url}/q: timed out after 0.20s (gave up after 2 attempts)`,
    );
    expect(s.requests).toHaveLength(2);
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(1500);
  });

  it("a server that stalls in the middle of the body times out too", async () => {
    const s = await serve({ hangAfterHeaders: true });
    const error = await failure(
      client(s.url, { timeoutMs: 200, retries: 0 }).requestJson({ path: "/q" }),
    );
    expect(error.message).toMatch(/timed out after 0\.20s$/);
  });

  it("the deadline bounds the whole call, however many retries are allowed", async () => {
    const s = await serve({ hang: true });
    const [error, ms] = await timed(() =>
      failure(
        client(s.url, { timeoutMs: 200, retries: 50, deadlineMs: 700 }).request({ path: "/q" }),
      ),
    );
    expect(error.message).toMatch(/timed out/);
    expect(ms).toBeLessThan(1200);
    expect(s.requests.length).toBeLessThanOrEqual(4);
  });

  it("retries a 503 and succeeds when the server recovers", async () => {
    const s = await serve({ status: 503, body: "overloaded" }, json({ ok: 1 }));
    expect(await client(s.url).requestJson({ path: "/" })).toEqual({ ok: 1 });
    expect(s.requests).toHaveLength(2);
  });

  it("a 5xx that persists: the status and a short excerpt of the body", async () => {
    const body = `<html><body><h1>Bad Gateway</h1>${"x".repeat(500)}</body></html>`;
    const s = await serve({ status: 502, body, headers: { "content-type": "text/html" } });
    const error = await failure(
      client(s.url).request({ path: "/api/v1/query", context: "query: up" }),
    );
    expect(error.message).toMatch(
      new RegExp(
        `^prometheus source 'prom' at ${s.url}/api/v1/query: HTTP 502 Bad Gateway: Bad Gateway x+…`,
      ),
    );
    expect(error.message).toMatch(/\(gave up after 3 attempts\); query: up$/);
    expect(error.message.length).toBeLessThan(400);
    expect(s.requests).toHaveLength(3);
  });

  it("honours Retry-After on a 429", async () => {
    const s = await serve({ status: 429, headers: { "retry-after": "1" } }, json({ ok: 1 }));
    const [, ms] = await timed(() => client(s.url).requestJson({ path: "/" }));
    const gap = s.requests[1]!.at - s.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(2000);
  });

  it("caps a long Retry-After", async () => {
    const s = await serve({ status: 503, headers: { "retry-after": "3600" } }, json({ ok: 1 }));
    await client(s.url, { maxRetryAfterMs: 150 }).requestJson({ path: "/" });
    const gap = s.requests[1]!.at - s.requests[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(140);
    expect(gap).toBeLessThan(1000);
  });

  it.each([400, 401, 403, 404, 422])("does not retry HTTP %i", async (status) => {
    const s = await serve({
      status,
      body: '{"status":"error","errorType":"bad_data","error":"nope"}',
    });
    const error = await failure(client(s.url).request({ path: "/" }));
    expect(s.requests).toHaveLength(1);
    expect(error.message).toContain(`HTTP ${status}`);
    expect(error.message).not.toContain("gave up");
  });

  it("says what to check on 401 and 404", async () => {
    const s = await serve({ status: 401 }, { status: 404 });
    expect((await failure(client(s.url).request({ path: "/" }))).hint).toMatch(/credentials/);
    expect((await failure(client(s.url).request({ path: "/" }))).hint).toMatch(/base URL/);
  });

  it("uses describeErrorBody to explain an error body", async () => {
    const s = await serve({
      status: 400,
      body: '{"status":"error","errorType":"bad_data","error":"parse error at char 4"}',
    });
    const http = client(s.url, {
      describeErrorBody: (body) => {
        const e = JSON.parse(body) as { errorType: string; error: string };
        return `${e.errorType}: ${e.error}`;
      },
    });
    const error = await failure(http.request({ path: "/api/v1/query" }));
    expect(error.message).toBe(
      `prometheus source 'prom' at ${s.url}/api/v1/query: HTTP 400 Bad Request: bad_data: parse error at char 4`,
    );
  });

  it("malformed JSON: said plainly, not retried", async () => {
    const s = await serve(malformedJson);
    const error = await failure(client(s.url).requestJson({ path: "/api/v1/query" }));
    expect(error.message).toBe(
      `prometheus source 'prom' at ${s.url}/api/v1/query: malformed JSON in the response (HTTP 200, text/html): Sign in Please log in to continue`,
    );
    expect(error.hint).toMatch(/login page/);
    expect(s.requests).toHaveLength(1);
  });

  it("a server that drops the connection: retried, then said", async () => {
    const s = await serve({ reset: true });
    const error = await failure(client(s.url).request({ path: "/" }));
    expect(error.message).toMatch(
      /the server closed the connection before answering \(gave up after 3 attempts\)$/,
    );
    expect(s.requests).toHaveLength(3);
  });

  it("an unknown host is named", async () => {
    const http = client("http://no-such-host.invalid:9090", { retries: 1 });
    const error = await failure(http.request({ path: "/" }));
    expect(error.message).toMatch(/host not found: no-such-host\.invalid/);
    expect(error.hint).toMatch(/host name/);
  });

  it("a port fetch blocks is said so, not retried", async () => {
    const error = await failure(client("http://127.0.0.1:6000").request({ path: "/" }));
    expect(error.message).toBe(
      "prometheus source 'prom' at http://127.0.0.1:6000/: port 6000 is blocked: Node.js's fetch never connects to it (use another port)",
    );
  });

  it("an invalid url fails each call, not the construction", async () => {
    const http = client("not a url");
    const error = await failure(http.request({ path: "/" }));
    expect(error.message).toBe("prometheus source 'prom': not a valid http(s) URL: not a url");
  });

  it("delivery senders can ask for code delivery", async () => {
    const url = await refusingUrl();
    const error = await failure(
      client(url, { retries: 0, errorCode: "delivery" }).request({ path: "/" }),
    );
    expect(error.code).toBe("delivery");
  });
});

describe("secrets never appear in errors", () => {
  it("strips user:pass@ and token parameters from the url in messages", async () => {
    const url = await refusingUrl();
    const withSecrets = `${url.replace("http://", "http://admin:pa55word@")}/prom?api_key=KEY-987654&org=7`;
    const error = await failure(
      client(withSecrets, { retries: 0 }).request({ path: "/api/v1/query" }),
    );
    expect(error.message).not.toContain("pa55word");
    expect(error.message).not.toContain("admin");
    expect(error.message).not.toContain("KEY-987654");
    expect(error.message).toContain(`${url}/prom/api/v1/query?api_key=***&org=7`);
  });

  it("removes configured secrets that a server echoes back", async () => {
    const s = await startTestServer((req) => ({
      status: 500,
      body: `debug: authorization=${req.headers.authorization} x-api-key=${req.headers["x-api-key"]}`,
    }));
    server = s;
    const http = client(s.url, {
      retries: 0,
      bearerToken: "bearer-secret-1",
      headers: { "X-Api-Key": "header-secret-2" },
    });
    const error = await failure(http.request({ path: "/" }));
    expect(error.message).not.toContain("bearer-secret-1");
    expect(error.message).not.toContain("header-secret-2");
    expect(error.message).toContain("authorization=Bearer ***");
  });

  it("removes a secret before it cuts the body, so no part of it is left", async () => {
    const token = "ghs_abcdefghijklmnopqrstuvwxyz01";
    // The excerpt keeps 200 characters: the token straddles the cut.
    const s = await startTestServer((req) => ({
      status: 500,
      body: `${"x".repeat(182)} ${req.headers.authorization} trailing`,
    }));
    server = s;
    const error = await failure(
      client(s.url, { retries: 0, bearerToken: token }).request({ path: "/" }),
    );
    for (let n = 8; n <= token.length; n++) expect(error.message).not.toContain(token.slice(0, n));
  });

  it("removes a secret a server echoes JSON-escaped", async () => {
    const password = 'p"ss\\word-42';
    const s = await startTestServer(() => ({
      status: 500,
      body: JSON.stringify({ error: `bad password ${password}` }),
    }));
    server = s;
    const http = client(s.url, { retries: 0, basicAuth: { username: "u", password } });
    const error = await failure(http.request({ path: "/" }));
    expect(error.message).not.toContain(JSON.stringify(password).slice(1, -1));
    expect(error.message).not.toContain(password);
  });

  it("removes a basic-auth password and its base64 form", async () => {
    const token = Buffer.from("carol:correct-horse").toString("base64");
    const s = await serve({ status: 500, body: `got Basic ${token} for correct-horse` });
    const http = client(s.url, {
      retries: 0,
      basicAuth: { username: "carol", password: "correct-horse" },
    });
    const error = await failure(http.request({ path: "/" }));
    expect(error.message).not.toContain("correct-horse");
    expect(error.message).not.toContain(token);
  });
});

describe("redaction helpers", () => {
  it("redactUrl strips credentials and masks secret parameters", () => {
    expect(redactUrl("https://u:p@prom.example.com:9090/x?token=abc&step=30")).toBe(
      "https://prom.example.com:9090/x?token=***&step=30",
    );
    expect(redactUrl("http://h/?access_token=1&X-Amz-Signature=2&password=3&query=up")).toBe(
      "http://h/?access_token=***&X-Amz-Signature=***&password=***&query=up",
    );
    // Not a URL: the same by pattern.
    expect(redactUrl("h://u:p@ x?apikey=zz")).toBe("h:// x?apikey=***");
  });

  it("redactText removes secrets and credentials in URLs inside text", () => {
    const text = "failed: http://me:pw12@host/a?sessionid=s1 with token tok-abcdef";
    expect(redactText(text, ["tok-abcdef"])).toBe(
      "failed: http://host/a?sessionid=*** with token ***",
    );
  });

  it("keeps the punctuation after a redacted parameter", () => {
    expect(redactText("at http://h/x?token=abc: refused", [])).toBe(
      "at http://h/x?token=***: refused",
    );
  });

  it("leaves values too short to be secrets alone, rather than garble the message", () => {
    expect(redactText("HTTP 503 from tenant 1", ["1"])).toBe("HTTP 503 from tenant 1");
  });

  it("secretValues covers headers, their credential part, tokens, passwords and URL secrets", () => {
    const values = secretValues({
      url: "http://u:pw%2Fx@h/?token=t0k3n",
      headers: { Authorization: "Bearer abcdefgh" },
      bearerToken: "bearer-1",
      basicAuth: { username: "u", password: "pass/word" },
    });
    expect(values).toEqual(
      expect.arrayContaining([
        "Bearer abcdefgh",
        "abcdefgh",
        "bearer-1",
        "pass/word",
        "pass%2Fword",
        "pw/x",
        "t0k3n",
      ]),
    );
  });

  it("parseRetryAfter reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("2")).toBe(2000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter("soon")).toBeUndefined();
    const inFiveSeconds = new Date(Date.now() + 5000).toUTCString();
    expect(parseRetryAfter(inFiveSeconds)).toBeGreaterThan(3000);
  });
});
