/**
 * `slo alerts` as a user runs it: wrong input is exit 2 with a clear message,
 * a target that is down is exit 3 naming it, --dry-run sends nothing, and a
 * run killed halfway through its deliveries never causes a double send.
 */

import { spawn } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { runAlerts } from "../../src/cli/alerts.js";
import { processIo } from "../../src/cli/io.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { refusingUrl, startTestServer, type TestServer } from "../support/misbehaving-server.js";
import { INCIDENT_START, PAGE_AT, SECOND_SLO, writeIncident } from "./incident.js";

const S = INCIDENT_START;

let dir: string;
let sloPath: string;
const servers: TestServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-alerts-cli-"));
  ({ sloPath } = await writeIncident(dir, S, { extraSlos: SECOND_SLO }));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function server(...args: Parameters<typeof startTestServer>) {
  const s = await startTestServer(...args);
  servers.push(s);
  return s;
}

function expectClean(result: { stdout: string; stderr: string }) {
  expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
}

describe("slo alerts on the command line", () => {
  it.concurrent.each([
    [["--webhook", "https://hooks.example/services/x"], "a webhook target needs --state FILE"],
    [["--github-issues"], "the github-issue target needs a GitHub token in GITHUB_TOKEN"],
    [["--at", "yesterday"], "--at yesterday: expected an RFC 3339 time"],
  ])("%j is exit 2 with a clear message, before any source is read", async (args, message) => {
    const result = await runCli(["alerts", sloPath, ...args], {
      env: { GITHUB_TOKEN: undefined, GH_TOKEN: undefined },
    });
    expectClean(result);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe("");
  });

  it.each([
    [{ alertmanager: ["ftp://am.example"] }, "--alertmanager: expected an http:// or https:// URL"],
    [{ webhook: ["page=not a url"] }, "--webhook: expected an http:// or https:// URL"],
    [{ githubIssues: "urgent" }, "--github-issues urgent: expected one of page, ticket"],
    [{ alertmanagerTtl: "soon" }, "--alertmanager-ttl soon: expected a duration"],
    [{ retries: "many" }, "--retries many: expected a whole number from 0 to 10"],
    [{ format: "xml" }, "--format xml: expected one of text, json"],
  ])("%j is a usage error", async (flags, message) => {
    const options = {
      format: "text",
      alertmanagerTtl: "1h",
      timeout: "10s",
      retries: "2",
      ...flags,
    };
    await expect(runAlerts([sloPath], options, processIo())).rejects.toMatchObject({
      code: "usage",
      message: expect.stringContaining(message),
    });
  });

  it("a damaged state file is exit 2, and is left as it was", async () => {
    const state = join(dir, "damaged.json");
    await writeFile(state, "{ not json");
    const result = await runCli(["alerts", sloPath, "--at", PAGE_AT, "--state", state]);
    expectClean(result);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--state ${state}: not an slo alert state file (not JSON)`);
    expect(await readFile(state, "utf8")).toBe("{ not json");
  });

  it("Alertmanager down: exit 3 after bounded retries, naming it", async () => {
    const url = await refusingUrl();
    const started = Date.now();
    const result = await runCli(["alerts", sloPath, "--at", PAGE_AT, "--alertmanager", url]);
    expectClean(result);
    expect(result.code).toBe(3);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.stderr).toContain(
      `error: alertmanager at ${url}/api/v2/alerts: connection refused (gave up after 3 attempts)`,
    );
  });

  it("--dry-run says what it would send, sends nothing and writes no state", async () => {
    const hook = await server(() => ({ status: 200 }));
    const state = join(dir, "dry.json");
    const result = await runCli([
      "alerts",
      sloPath,
      "--at",
      PAGE_AT,
      "--webhook",
      `${hook.url}/hook`,
      "--state",
      state,
      "--dry-run",
    ]);
    expectClean(result);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      "would send: fired PAGE checkout/availability; fired PAGE checkout/availability-strict",
    );
    expect(hook.requests).toEqual([]);
    await expect(stat(state)).rejects.toThrow();
  });

  it("--format json lists what fires and what each target was sent", async () => {
    const hook = await server(() => ({ status: 200 }));
    const result = await runCli([
      "alerts",
      sloPath,
      "--at",
      PAGE_AT,
      "--webhook",
      `page=${hook.url}/hook`,
      "--state",
      join(dir, "json-state.json"),
      "--format",
      "json",
    ]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.firing.map((f: { key: string }) => f.key)).toEqual([
      "checkout/availability|page",
      "checkout/availability-strict|page",
    ]);
    expect(out.targets[0].delivered).toEqual([
      {
        kind: "fired",
        key: "checkout/availability",
        current: "page",
        since: PAGE_AT,
      },
      {
        kind: "fired",
        key: "checkout/availability-strict",
        current: "page",
        since: PAGE_AT,
      },
    ]);
  });

  it("notify: in the file routes by severity; a flag replaces the file's targets of its type", async () => {
    const pages = await server(() => ({ status: 200 }));
    const everything = await server(() => ({ status: 200 }));
    const notify = `notify:
  - { type: webhook, url: "\${PAGER_HOOK}/p", severities: [page] }
  - { type: webhook, url: "\${TICKET_HOOK}/t", severities: [ticket] }
`;
    const routed = await writeIncident(await mkdtemp(join(tmpdir(), "slo-notify-")), S, { notify });
    const env = { PAGER_HOOK: pages.url, TICKET_HOOK: "http://127.0.0.1:9" };
    const state = join(dir, "notify.json");
    const fromFile = await runCli(["alerts", routed.sloPath, "--at", PAGE_AT, "--state", state], {
      env,
    });
    expect(fromFile.code).toBe(0);
    expect(pages.requests).toHaveLength(1);
    // The ticket-only webhook (nothing listens there) was not called: no ticket fires.
    expect(fromFile.stdout).toContain("webhook http://127.0.0.1:9/***: nothing new");

    const overridden = await runCli(
      [
        "alerts",
        routed.sloPath,
        "--at",
        PAGE_AT,
        "--state",
        state,
        "--webhook",
        `${everything.url}/all`,
      ],
      { env },
    );
    expect(overridden.code).toBe(0);
    expect(everything.requests).toHaveLength(1);
    expect(pages.requests).toHaveLength(1);
  });

  it("a run killed during its second delivery: the next run sends only that one", async () => {
    // The first message is answered; the second is held until the run is killed.
    let calls = 0;
    const hook = await server(() => (++calls === 1 ? { status: 200 } : { hang: true }));
    const state = join(dir, "crash.json");
    const args = [
      "alerts",
      sloPath,
      "--at",
      PAGE_AT,
      "--webhook",
      `${hook.url}/hook`,
      "--state",
      state,
    ];
    const child = spawn(process.execPath, [join(ROOT, "bin", "slo.js"), ...args], {
      cwd: ROOT,
      stdio: "ignore",
    });
    const exited = new Promise((resolve) => child.on("exit", resolve));
    const deadline = Date.now() + 30_000;
    while (hook.requests.length < 2) {
      if (Date.now() > deadline) throw new Error("the second delivery never arrived");
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill("SIGKILL");
    await exited;
    const recorded = JSON.parse(await readFile(state, "utf8"));
    expect(Object.keys(Object.values(recorded.targets)[0] as object)).toEqual([
      "checkout/availability",
    ]);

    hook.respond(() => ({ status: 200 }));
    const rerun = await runCli(args);
    expectClean(rerun);
    expect(rerun.code).toBe(0);
    expect(rerun.stdout).toContain("sent: fired PAGE checkout/availability-strict");
    const bodies = hook.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);
    expect(bodies.filter((t) => t.includes("*checkout / availability*"))).toHaveLength(1);
    expect(bodies.filter((t) => t.includes("*checkout / availability-strict*"))).toHaveLength(2);
    // The held request never counted; the third run has nothing new.
    const third = await runCli(args);
    expect(third.stdout).toMatch(/webhook [^\n]*: nothing new/);
    expect(hook.requests).toHaveLength(3);
  });

  it("a source that fails leaves its alerts as they were, and exits 3", async () => {
    const hook = await server(() => ({ status: 200 }));
    const state = join(dir, "source-fails.json");
    const webhook = ["--webhook", `${hook.url}/hook`, "--state", state];
    await runCli(["alerts", sloPath, "--at", PAGE_AT, ...webhook]);
    expect(hook.requests).toHaveLength(2);
    const broken = join(dir, "broken.yaml");
    const text = await readFile(sloPath, "utf8");
    await writeFile(
      broken,
      text.replace(/paths: \[.*\]/, `paths: [${JSON.stringify(join(dir, "gone.ndjson"))}]`),
    );
    const result = await runCli(["alerts", broken, "--at", PAGE_AT, ...webhook]);
    expectClean(result);
    expect(result.code).toBe(3);
    expect(result.stdout).toContain("no burn-rate alert fires among the 0 SLO(s) evaluated");
    expect(result.stderr).toContain(
      "error: checkout/availability: source logs failed, its alerts are left as they were",
    );
    expect(hook.requests).toHaveLength(2);
  });
});
