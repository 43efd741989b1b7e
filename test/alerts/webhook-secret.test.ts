/**
 * A webhook URL is a password, wherever the secret sits: in the only path
 * segment (`https://host/SECRET`), deeper in the path, or in a query value.
 * `slo alerts` shows the target, in text and JSON, and its errors (a webhook
 * answering 500 and echoing the path, one refusing the connection) without
 * any of it; a target the user named is shown by its name.
 */

import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { hasStackTrace, runCli } from "../support/cli.js";
import { refusingUrl, startTestServer, type TestServer } from "../support/misbehaving-server.js";
import { EXPECTED, writeIncident } from "./incident.js";

const S = Date.parse("2026-11-20T00:00:00Z");
const PAGE_AT = new Date(S + EXPECTED.pageStarts).toISOString();
const SECRET = "Zq7hooksecret";
const QUERY_SECRET = "Qv9querysecret";

let dir: string;
let sloPath: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-webhook-secret-"));
  ({ sloPath } = await writeIncident(dir, S));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A webhook that fails with 500 and echoes the path it was called on, as some do. */
async function failingHook() {
  const s = await startTestServer((r) => ({ status: 500, body: `no hook at ${r.path}` }));
  servers.push(s);
  return s;
}

let n = 0;
const alerts = (url: string, ...more: string[]) =>
  runCli([
    "alerts",
    sloPath,
    "--at",
    PAGE_AT,
    "--webhook",
    url,
    "--state",
    join(dir, `state-${++n}.json`),
    "--retries",
    "0",
    ...more,
  ]);

function expectNoSecret(result: { stdout: string; stderr: string }) {
  const all = result.stdout + result.stderr;
  expect(hasStackTrace(all)).toBe(false);
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(QUERY_SECRET);
}

describe("a webhook whose secret is in its URL", () => {
  it("the only path segment: not in the target's line nor in the error of a 500", async () => {
    const hook = await failingHook();
    const result = await alerts(`${hook.url}/${SECRET}`);
    expect(result.code).toBe(3);
    expect(hook.requests.map((r) => r.path)).toEqual([`/${SECRET}`]);
    expectNoSecret(result);
    expect(result.stdout).toContain(`webhook ${hook.url}/***: failed`);
    expect(result.stderr).toContain(`error: webhook at ${hook.url}/***: HTTP 500`);
  });

  it("the only path segment: not in the error of a refused connection, nor in JSON", async () => {
    const url = await refusingUrl();
    const result = await alerts(`${url}/${SECRET}`, "--format", "json");
    expect(result.code).toBe(3);
    expectNoSecret(result);
    const out = JSON.parse(result.stdout);
    expect(out.targets[0].target).toBe(`webhook ${url}/***`);
    expect(out.targets[0].error).toMatch(/connection refused/);
    expect(result.stderr).toContain(`error: webhook at ${url}/***: connection refused`);
  });

  it("a short path is masked in the URL, and the message's words are left whole", async () => {
    const hook = await failingHook();
    const result = await alerts(`${hook.url}/hook`);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain(`webhook ${hook.url}/***: failed`);
    expect(result.stderr).toContain(`error: webhook at ${hook.url}/***: HTTP 500`);
  });

  it("every path segment and every query value are masked", async () => {
    const hook = await failingHook();
    const result = await alerts(`${hook.url}/hooks/${SECRET}/slack?c=${QUERY_SECRET}`);
    expect(result.code).toBe(3);
    expectNoSecret(result);
    expect(result.stdout).toContain(`webhook ${hook.url}/***?***: failed`);
  });

  it("a target named in the SLO file is shown by its name, its URL by its host", async () => {
    const hook = await failingHook();
    const named = join(dir, "named.yaml");
    const text = await readFile(sloPath, "utf8");
    await writeFile(
      named,
      `${text}notify:\n  - { type: webhook, name: payments-oncall, url: "${hook.url}/${SECRET}" }\n`,
    );
    const state = join(dir, "named-state.json");
    const result = await runCli(["alerts", named, "--at", PAGE_AT, "--state", state]);
    expect(result.code).toBe(3);
    expectNoSecret(result);
    expect(result.stdout).toContain("webhook payments-oncall: failed");
    expect(result.stderr).toContain("error: webhook payments-oncall at ");
  });
});
