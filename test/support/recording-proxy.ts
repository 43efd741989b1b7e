/**
 * A real local HTTP proxy in front of a real server (Loki): it forwards every
 * request unchanged and records what was asked, so a test can check the
 * queries slo sends while the answers stay the real server's.
 */

import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  path: string;
  /** query string and form body parameters together */
  params: Record<string, string>;
  tenant: string | undefined;
  status: number;
}

export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function forwardedHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === "host" || name === "connection") continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = new URL(req.url ?? "/", target);
      const params = Object.fromEntries(url.searchParams);
      if (req.headers["content-type"]?.includes("application/x-www-form-urlencoded")) {
        Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
      }
      const answer = await fetch(url, {
        method: req.method ?? "GET",
        headers: forwardedHeaders(req),
        ...(body.length > 0 ? { body: new Uint8Array(body) } : {}),
      });
      const header = req.headers["x-scope-orgid"];
      requests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        params,
        tenant: Array.isArray(header) ? header[0] : header,
        status: answer.status,
      });
      const text = Buffer.from(await answer.arrayBuffer());
      res.writeHead(answer.status, {
        "content-type": answer.headers.get("content-type") ?? "text/plain",
      });
      res.end(text);
    })().catch((error: unknown) => {
      res.writeHead(502, { "content-type": "text/plain" });
      res.end(`recording proxy: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
