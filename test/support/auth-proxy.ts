/**
 * An authenticating gateway in front of a real metrics server, the way
 * Thanos, Mimir or a company's reverse proxy sit in front of one: requests
 * must come under a path prefix (Mimir's `/prometheus`) with credentials it
 * accepts, else 401; the rest is forwarded as it came. It records what it
 * saw, so a test can prove what slo sent: the credentials, `time=` on every
 * query, how many requests were in flight at once.
 */

import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

export interface ProxiedRequest {
  method: string;
  /** the path as the client sent it, prefix included */
  path: string;
  params: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** which credential let it in, as named by `accept`; null when refused */
  client: string | null;
}

export interface AuthProxyOptions {
  /** the path every request must start with; stripped before forwarding */
  prefix: string;
  /** the name of the client these headers identify, or null to refuse with 401 */
  accept(headers: IncomingHttpHeaders): string | null;
}

export interface AuthProxy {
  url: string;
  requests: ProxiedRequest[];
  /** the most requests of one client in flight at the same time */
  maxInFlight(client: string): number;
  close(): Promise<void>;
}

export async function startAuthProxy(
  target: string,
  options: AuthProxyOptions,
): Promise<AuthProxy> {
  const requests: ProxiedRequest[] = [];
  const inFlight = new Map<string, number>();
  const peak = new Map<string, number>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://proxy");
      const body = Buffer.concat(chunks);
      const params = new URLSearchParams(url.search);
      if (body.length > 0 && /form-urlencoded/.test(req.headers["content-type"] ?? "")) {
        for (const [k, v] of new URLSearchParams(body.toString("utf8"))) params.append(k, v);
      }
      const client = url.pathname.startsWith(`${options.prefix}/`)
        ? options.accept(req.headers)
        : null;
      requests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        params,
        headers: req.headers,
        client,
      });
      if (client === null) {
        res.writeHead(401, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ status: "error", errorType: "unauthorized", error: "unauthorized" }),
        );
        return;
      }
      const now = (inFlight.get(client) ?? 0) + 1;
      inFlight.set(client, now);
      peak.set(client, Math.max(peak.get(client) ?? 0, now));
      try {
        const forwarded = await fetch(
          `${target}${url.pathname.slice(options.prefix.length)}${url.search}`,
          {
            method: req.method,
            headers: req.headers["content-type"]
              ? { "content-type": req.headers["content-type"] }
              : {},
            body: body.length > 0 ? body : undefined,
            signal: AbortSignal.timeout(30_000),
          },
        );
        const text = await forwarded.text();
        res.writeHead(forwarded.status, {
          "content-type": forwarded.headers.get("content-type") ?? "application/json",
        });
        res.end(text);
      } catch (error) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`proxy: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        inFlight.set(client, (inFlight.get(client) ?? 1) - 1);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    maxInFlight: (client) => peak.get(client) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
