/**
 * A real local HTTP server whose answers a test scripts, to prove how the
 * HTTP helper and the sources behave when a server refuses, hangs, fails or
 * answers nonsense. It records every request it gets.
 */

import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo, createServer as createTcpServer } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  headers: IncomingMessage["headers"];
  body: string;
  at: number;
}

export type Reply =
  | { status: number; body?: string; headers?: Record<string, string> }
  /** never answer; the connection stays open until the client gives up */
  | { hang: true }
  /** send the headers and part of the body, then stall */
  | { hangAfterHeaders: true }
  /** close the connection without answering */
  | { reset: true };

export type Responder = (request: RecordedRequest) => Reply;

export interface TestServer {
  url: string;
  requests: RecordedRequest[];
  /** replace how the server answers from now on */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

export async function startTestServer(responder: Responder): Promise<TestServer> {
  let current = responder;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://test");
      const recorded: RecordedRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        params: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      };
      requests.push(recorded);
      const reply = current(recorded);
      if ("hang" in reply) return;
      if ("reset" in reply) {
        req.socket.destroy();
        return;
      }
      if ("hangAfterHeaders" in reply) {
        res.writeHead(200, { "content-type": "application/json", "content-length": "1000" });
        res.write('{"status":"succ');
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(next) {
      current = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on which nothing listens: connecting is refused. */
export async function refusingUrl(): Promise<string> {
  const port = await freePort();
  return `http://127.0.0.1:${port}`;
}

/** A port free a moment ago (bind to 0, read it, close). */
export async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The replies in order, then the last one forever. */
export function sequence(...replies: Reply[]): Responder {
  let i = 0;
  return () => replies[Math.min(i++, replies.length - 1)]!;
}

export function json(value: unknown, status = 200): Reply {
  return { status, body: JSON.stringify(value) };
}

/** Prometheus' answer to an instant query: one sample per value, or none. */
export function promVector(
  ...values: (string | { metric: Record<string, string>; value: string })[]
): Reply {
  const t = 1_700_000_000;
  return json({
    status: "success",
    data: {
      resultType: "vector",
      result: values.map((v) =>
        typeof v === "string"
          ? { metric: {}, value: [t, v] }
          : { metric: v.metric, value: [t, v.value] },
      ),
    },
  });
}

export function promError(status: number, errorType: string, error: string): Reply {
  return json({ status: "error", errorType, error }, status);
}

export const malformedJson: Reply = {
  status: 200,
  body: "<html><body><h1>Sign in</h1><p>Please log in to continue</p></body></html>",
  headers: { "content-type": "text/html" },
};
