/**
 * The size of an answer is capped: the body is read as it streams, and past
 * the cap the request is aborted and fails with the server and the limit
 * named, not retried (it would be too big again). Before, a 700 MB answer
 * took 5.9 GB and ended in "Cannot create a string longer than ...".
 */

import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { HttpClientOptions } from "../../src/http/client.js";
import { MAX_RESPONSE_BYTES } from "../../src/limits.js";
import { failure, testClient } from "./test-client.js";

const KIB = 1024;

interface StreamingServer {
  url: string;
  requests: number;
  /** bytes of body written before the client went away, per request */
  written: number[];
  /** resolves when every connection the server had is closed */
  closedAll(): Promise<void>;
  close(): Promise<void>;
}

type Answer = (res: ServerResponse, done: (bytes: number) => void) => void;

const servers: StreamingServer[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers.length = 0;
});

async function serve(answer: Answer): Promise<StreamingServer> {
  const closes: Promise<void>[] = [];
  const server = createServer((_req, res) => {
    state.requests++;
    closes.push(
      new Promise<void>((resolve) => {
        answer(res, (bytes) => {
          state.written.push(bytes);
          resolve();
        });
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const state: StreamingServer = {
    url: `http://127.0.0.1:${port}`,
    requests: 0,
    written: [],
    closedAll: () => Promise.all(closes).then(() => undefined),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(state);
  return state;
}

/** Writes JSON-looking bytes for as long as the client reads them; no Content-Length. */
const endless: Answer = (res, done) => {
  res.writeHead(200, { "content-type": "application/json" });
  const chunk = Buffer.alloc(16 * KIB, "9");
  let bytes = 0;
  res.write("[");
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) bytes += chunk.length;
    if (!res.destroyed) bytes += chunk.length;
  };
  res.on("drain", pump);
  res.on("close", () => done(bytes));
  pump();
};

/** Announces a body of `length` bytes and sends only a little of it. */
function announcing(length: number): Answer {
  return (res, done) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": String(length) });
    res.write('{"status":"success"');
    res.on("close", () => done(0));
  };
}

function client(url: string, overrides: Partial<HttpClientOptions> = {}) {
  return testClient(url, { ...{ timeoutMs: 5000 }, ...overrides });
}

describe("an answer larger than the cap", () => {
  it("a streamed answer: reading stops past the cap, the request is aborted, not retried", async () => {
    const server = await serve(endless);
    const http = client(server.url, { maxResponseBytes: 256 * KIB });
    const error = await failure(http.requestJson({ path: "/api/v1/query", context: "query: up" }));
    expect(error.code).toBe("source");
    expect(error.message).toBe(
      `prometheus source 'prom' at ${server.url}/api/v1/query: the answer is larger than 256 KiB, the most slo reads: stopped reading it; query: up`,
    );
    expect(error.hint).toMatch(/not retried/);
    // The connection is closed: the server stops sending soon after the cap.
    await server.closedAll();
    expect(server.requests).toBe(1);
    expect(server.written[0]).toBeLessThan(64 * 256 * KIB);
  });

  it("an announced Content-Length over the cap is refused before the body is read", async () => {
    const server = await serve(announcing(256 * KIB + 1));
    const http = client(server.url, { maxResponseBytes: 256 * KIB });
    const error = await failure(http.request({ path: "/api/v1/query" }));
    expect(error.message).toBe(
      `prometheus source 'prom' at ${server.url}/api/v1/query: the answer is larger than 256 KiB, the most slo reads: the server announced 262145 bytes`,
    );
    expect(server.requests).toBe(1);
  });

  it("an error answer is capped too", async () => {
    const server = await serve((res, done) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(Buffer.alloc(8 * KIB, "x"));
      res.on("close", () => done(8 * KIB));
    });
    const error = await failure(
      client(server.url, { maxResponseBytes: 4 * KIB }).request({ path: "/" }),
    );
    expect(error.message).toContain("the answer is larger than 4 KiB");
    expect(server.requests).toBe(1);
  });

  it("for a delivery target, the error is a delivery error", async () => {
    const server = await serve(endless);
    const http = client(server.url, { maxResponseBytes: 16 * KIB, errorCode: "delivery" });
    const error = await failure(http.request({ path: "/hook" }));
    expect(error.code).toBe("delivery");
    expect(error.message).toContain("the answer is larger than 16 KiB");
  });
});

describe("an answer up to the cap", () => {
  it("is read whole, multi-byte characters included", async () => {
    const body = JSON.stringify({ text: "é".repeat(2 * KIB) });
    const size = Buffer.byteLength(body);
    const server = await serve((res, done) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(body);
      res.on("close", () => done(size));
    });
    const http = client(server.url, { maxResponseBytes: size });
    expect(await http.requestJson({ path: "/" })).toEqual({ text: "é".repeat(2 * KIB) });
  });
});

describe("the default cap is MAX_RESPONSE_BYTES", () => {
  it(`an announced ${MAX_RESPONSE_BYTES + 1} bytes is refused, naming 64 MiB`, async () => {
    const server = await serve(announcing(MAX_RESPONSE_BYTES + 1));
    const error = await failure(client(server.url).request({ path: "/" }));
    expect(error.message).toContain(
      "the answer is larger than 64 MiB, the most slo reads: the server announced 67108865 bytes",
    );
  });

  it(`an announced ${MAX_RESPONSE_BYTES} bytes is not refused: the body is read (here it is cut short)`, async () => {
    const server = await serve((res, done) => {
      res.writeHead(200, { "content-length": String(MAX_RESPONSE_BYTES) });
      // Once the start of the body is sent, the connection drops.
      res.write('{"status":"success"', () => res.destroy());
      res.on("close", () => done(0));
    });
    const error = await failure(client(server.url, { retries: 0 }).request({ path: "/" }));
    expect(error.message).not.toContain("larger than");
    expect(error.message).toContain("closed the connection");
  });
});
