/** The dependency health gate against a local HTTP server answering like the talk's health endpoint. */

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resultWithHealth } from "../../src/engine/status.js";
import type { HealthReport } from "../../src/report/schema.js";
import { checkHealth, parseHealthBody } from "../../src/sources/health.js";
import { reportOf, sloYaml } from "../github/report-fixture.js";

const DOWN = [
  { Name: "myDB", Status: "TIMEOUT", StatusTime: "2019-07-19T09:27:56.45Z" },
  { Name: "kafka", Status: "OK", StatusTime: "2019-07-19T09:27:56.45Z" },
];
const UP = DOWN.map((d) => ({ ...d, Status: "OK" }));

let server: Server;
let base: string;
const seen: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? "");
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(typeof body === "string" ? body : JSON.stringify(body));
    };
    switch (new URL(req.url ?? "/", "http://x").pathname) {
      case "/up/health/status":
        return answer(200, UP);
      case "/down/health/status":
        return answer(503, DOWN);
      case "/degraded/health/status":
        return answer(200, DOWN);
      case "/lying/health/status":
        return answer(503, UP);
      case "/broken/health/status":
        return answer(500, "upstream exploded");
      case "/html/health/status":
        return answer(200, "<html>login</html>");
      case "/slow/health/status":
        return setTimeout(() => answer(200, UP), 2000);
      default:
        return answer(404, { message: "no" });
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const check = (path: string, onFailure: "fail" | "warn" = "fail", url = `${base}${path}`) =>
  checkHealth("ctrl", { name: "status", url, onFailure }, { timeoutMs: 500, retries: 1 });

describe("checkHealth", () => {
  it("all dependencies OK: healthy", async () => {
    const h = await check("/up/health/status");
    expect(h).toMatchObject({ ok: true, error: null, onFailure: "fail" });
    expect(h.dependencies.map((d) => d.status)).toEqual(["OK", "OK"]);
  });

  it("503 with the list: unhealthy, each dependency reported", async () => {
    const h = await check("/down/health/status");
    expect(h.ok).toBe(false);
    expect(h.error).toBeNull();
    expect(h.dependencies).toEqual([
      { name: "myDB", status: "TIMEOUT", statusTime: "2019-07-19T09:27:56.45Z" },
      { name: "kafka", status: "OK", statusTime: "2019-07-19T09:27:56.45Z" },
    ]);
  });

  it("200 but a dependency not OK: unhealthy; 503 with all OK: unhealthy, and says so", async () => {
    expect((await check("/degraded/health/status")).ok).toBe(false);
    const lying = await check("/lying/health/status");
    expect(lying.ok).toBe(false);
    expect(lying.error).toBe("HTTP 503 although every dependency says OK");
  });

  it("a failing endpoint, a wrong body, a refused connection, a timeout: unhealthy with the reason", async () => {
    expect((await check("/broken/health/status")).error).toMatch(
      /health check 'status' at .*\/broken\/health\/status: HTTP 500 .*upstream exploded \(gave up after 2 attempts\)/,
    );
    expect((await check("/html/health/status")).error).toMatch(/HTTP 200: the body is not JSON/);
    expect((await check("/nothing")).error).toMatch(/HTTP 404/);
    const refused = await check("", "fail", `http://127.0.0.1:${await closedPort()}/health`);
    expect(refused).toMatchObject({ ok: false, dependencies: [] });
    expect(refused.error).toMatch(/connection refused/);
    const started = Date.now();
    expect((await check("/slow/health/status")).error).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("asks for the URL exactly as written, and never reports a credential in it", async () => {
    const h = await check("", "warn", `${base}/up/health/status?token=s3cr3t-value&v=1`);
    expect(seen).toContain("/up/health/status?token=s3cr3t-value&v=1");
    expect(h.ok).toBe(true);
    expect(h.url).not.toContain("s3cr3t-value");
    const down = await check(
      "",
      "warn",
      `http://user:hunter22@127.0.0.1:${await closedPort()}/health?token=s3cr3t-value`,
    );
    expect(down.error).toMatch(/connection refused/);
    expect(JSON.stringify(down)).not.toMatch(/hunter22|s3cr3t-value/);
  });
});

describe("parseHealthBody", () => {
  it("takes keys in any case, and says what is wrong with other shapes", () => {
    expect(parseHealthBody('[{"name":"a","status":"ok","status_time":"t"}]')).toEqual({
      dependencies: [{ name: "a", status: "ok", statusTime: "t" }],
    });
    expect(parseHealthBody('{"Name":"a"}')).toEqual({
      error: "expected a JSON list of {Name, Status, StatusTime}",
    });
    expect(parseHealthBody('[{"Name":"a"}]')).toEqual({
      error: "entry 1 has no Name and Status strings",
    });
  });
});

describe("the gate", () => {
  const h = (ok: boolean, onFailure: "fail" | "warn"): HealthReport => ({
    service: "s",
    name: "n",
    url: "u",
    ok,
    onFailure,
    dependencies: [],
    error: null,
  });
  it("fails on an unhealthy `fail` check, warns on a `warn` one", () => {
    expect(resultWithHealth("pass", [h(true, "fail")])).toBe("pass");
    expect(resultWithHealth("pass", [h(false, "fail")])).toBe("fail");
    expect(resultWithHealth("warn", [h(false, "fail")])).toBe("fail");
    expect(resultWithHealth("pass", [h(false, "warn")])).toBe("warn");
    expect(resultWithHealth("unknown", [h(false, "warn")])).toBe("unknown");
    expect(resultWithHealth("fail", [h(false, "warn")])).toBe("fail");
  });

  it("evaluateSet runs the checks of every file and folds them into the result", async () => {
    const extra = `health:
  - { name: status, url: "${base}/down/health/status" }
  - { name: edge, url: "${base}/up/health/status", onFailure: warn }
`;
    const report = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["api"], extra), {});
    expect(report.slos[0]!.status).toBe("ok");
    expect(report.result).toBe("fail");
    expect(report.health?.map((x) => [x.name, x.ok, x.onFailure])).toEqual([
      ["status", false, "fail"],
      ["edge", true, "warn"],
    ]);
    const warnOnly = await reportOf(
      "slos/ctrl.yaml",
      sloYaml(
        "ctrl",
        ["api"],
        `health:\n  - { name: s, url: "${base}/down/health/status", onFailure: warn }\n`,
      ),
      {},
    );
    expect(warnOnly.result).toBe("warn");
    const none = await reportOf("slos/ctrl.yaml", sloYaml("ctrl", ["api"]), {});
    expect(none.health).toBeUndefined();
  });
});
