/**
 * One `slo alerts` run at a time per state file, proven with real processes:
 * two runs of the built CLI at once against a real webhook receiver send
 * each alert once; two runs over different SLO sets sharing one state keep
 * both sets' entries and send both RESOLVED messages; a lock left by a dead
 * process is taken over; a live holder makes the run wait its bounded time,
 * then exit 3 naming the holder; a run stopped by SIGTERM removes its lock.
 */

import { execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { AlertStateStore, readStateFile } from "../../src/alerts/state-file.js";
import { lockPathOf, lockStateFile } from "../../src/alerts/state-lock.js";
import { runAlerts } from "../../src/cli/alerts.js";
import type { CliIo } from "../../src/cli/io.js";
import { exitCodeFor } from "../../src/errors.js";
import { STATE_LOCK_WAIT_MS } from "../../src/limits.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";
import { EXPECTED, INCIDENT_START, MINUTE, writeIncident } from "./incident.js";

const S = INCIDENT_START;
const PAGE_AT = new Date(S + EXPECTED.pageStarts).toISOString();
/** Between the page's end and the ticket's start: nothing fires. */
const QUIET_AT = new Date(S + 120 * MINUTE).toISOString();

let dir: string;
let checkoutSlo: string;
let searchSlo: string;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-state-lock-"));
  ({ sloPath: checkoutSlo } = await writeIncident(dir, S));
  // The same log, another service: a second SLO set for the same webhook and state.
  searchSlo = join(dir, "search.yaml");
  await writeFile(
    searchSlo,
    (await readFile(checkoutSlo, "utf8")).replace("service: checkout", "service: search"),
  );
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/**
 * A webhook receiver that answers each message after a moment, so that two
 * runs started together overlap in their deliveries.
 */
async function receiver(answerAfterMs = 300) {
  const texts: string[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      texts.push((JSON.parse(body) as { text: string }).text);
      setTimeout(() => res.writeHead(200).end("ok"), answerAfterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hook`, texts };
}

const count = (texts: readonly string[], pattern: RegExp) =>
  texts.filter((t) => pattern.test(t)).length;

/** The CLI's io, its output dropped: these tests read the receiver and the state. */
function quietIo(): CliIo {
  const sink = { write: () => true, isTTY: false };
  return { stdout: sink, stderr: sink, stdin: Readable.from([]), env: {}, cwd: ROOT };
}

/** The pid of a process that has exited (and so is not alive). */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ["-e", ""], (error) => {
      if (error) reject(error);
      else resolve(child.pid!);
    });
  });
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

describe("the lock on --state", () => {
  it("two runs at once on one state file send each alert once", async () => {
    const hook = await receiver();
    const state = join(dir, "together.json");
    const args = ["alerts", checkoutSlo, "--at", PAGE_AT, "--webhook", hook.url, "--state", state];
    const [a, b] = await Promise.all([
      runCli(args, { subprocess: true }),
      runCli(args, { subprocess: true }),
    ]);
    for (const r of [a, b]) {
      expect(hasStackTrace(r.stdout + r.stderr)).toBe(false);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(hook.texts).toHaveLength(1);
    expect(count(hook.texts, /\*checkout \/ availability\*/)).toBe(1);
    // One run sent it; the other, after waiting its turn, found nothing new.
    expect([a, b].map((r) => /sent: fired PAGE/.test(r.stdout)).sort()).toEqual([false, true]);
    expect(await exists(lockPathOf(state))).toBe(false);
  });

  it("two runs over different SLO sets sharing one state keep both, and both RESOLVED messages are sent", async () => {
    const hook = await receiver();
    const state = join(dir, "shared.json");
    const run = (slo: string, at: string) =>
      runCli(["alerts", slo, "--at", at, "--webhook", hook.url, "--state", state], {
        subprocess: true,
      });
    const fired = await Promise.all([run(checkoutSlo, PAGE_AT), run(searchSlo, PAGE_AT)]);
    expect(fired.map((r) => r.code)).toEqual([0, 0]);
    const recorded = await readStateFile(state);
    expect(Object.keys(Object.values(recorded.targets)[0] ?? {}).sort()).toEqual([
      "checkout/availability",
      "search/availability",
    ]);

    const resolved = await Promise.all([run(checkoutSlo, QUIET_AT), run(searchSlo, QUIET_AT)]);
    expect(resolved.map((r) => r.code)).toEqual([0, 0]);
    expect(
      count(hook.texts, /^:white_check_mark: \*RESOLVED\*.*\*checkout \/ availability\*/),
    ).toBe(1);
    expect(count(hook.texts, /^:white_check_mark: \*RESOLVED\*.*\*search \/ availability\*/)).toBe(
      1,
    );
    expect(hook.texts).toHaveLength(4);
    expect((await readStateFile(state)).targets).toEqual({});
  });

  it("a lock left by a dead process of this host is taken over", async () => {
    const hook = await receiver(0);
    const state = join(dir, "stale.json");
    const holder = {
      pid: await deadPid(),
      host: hostname(),
      startedAt: "2026-11-19T00:00:00.000Z",
    };
    await writeFile(lockPathOf(state), JSON.stringify(holder));
    const result = await runCli(
      ["alerts", checkoutSlo, "--at", PAGE_AT, "--webhook", hook.url, "--state", state],
      { subprocess: true },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(hook.texts).toHaveLength(1);
    expect(await exists(lockPathOf(state))).toBe(false);
  });

  it("a lock with no holder in it (empty from a crash, or garbage) is taken over once it is old", async () => {
    const hook = await receiver(0);
    const state = join(dir, "garbage.json");
    await writeFile(lockPathOf(state), "not a lock");
    const minuteAgo = new Date(Date.now() - 60_000);
    await utimes(lockPathOf(state), minuteAgo, minuteAgo);
    const result = await runCli(
      ["alerts", checkoutSlo, "--at", PAGE_AT, "--webhook", hook.url, "--state", state],
      { subprocess: true },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(hook.texts).toHaveLength(1);
    expect(await exists(lockPathOf(state))).toBe(false);
  });

  it("a live holder makes the run wait its bounded time, then exit 3 naming the holder", async () => {
    const hook = await receiver(0);
    const state = join(dir, "held.json");
    // This test process holds the lock, as another run would.
    const held = await lockStateFile(state);
    const holder = JSON.parse(await readFile(lockPathOf(state), "utf8"));
    expect(holder).toMatchObject({ pid: process.pid, host: hostname() });
    // A clock that moves as the run sleeps: the whole wait, at once.
    let clock = Date.parse("2026-11-20T12:00:00Z");
    const waits: number[] = [];
    const lock = {
      now: () => clock,
      sleep: async (ms: number) => {
        waits.push(ms);
        clock += ms;
      },
    };
    const options = {
      at: PAGE_AT,
      webhook: [hook.url],
      state,
      format: "text",
      alertmanagerTtl: "1h",
      timeout: "10s",
      retries: "0",
    };
    const error = await runAlerts([checkoutSlo], options, quietIo(), { lock }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(exitCodeFor(error)).toBe(3);
    const message = (error as Error).message;
    expect(message).toContain(`another run holds its lock ${lockPathOf(state)}`);
    expect(message).toContain(`pid ${process.pid} on ${hostname()}, started ${holder.startedAt}`);
    expect(message).toContain(`gave up after waiting ${STATE_LOCK_WAIT_MS / 1000}s`);
    expect(waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(STATE_LOCK_WAIT_MS);
    expect(hook.texts).toEqual([]);
    expect(await exists(state)).toBe(false);

    // Released, the same run goes through.
    await held.release();
    expect(await runAlerts([checkoutSlo], options, quietIo(), { lock })).toBe(0);
    expect(hook.texts).toHaveLength(1);
  });

  it("a folder where the lock goes is exit 2 naming it, nothing sent", async () => {
    const hook = await receiver(0);
    const state = join(dir, "lock-is-a-folder.json");
    await mkdir(lockPathOf(state));
    const result = await runCli([
      "alerts",
      checkoutSlo,
      "--at",
      PAGE_AT,
      "--webhook",
      hook.url,
      "--state",
      state,
    ]);
    expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--state ${state}: its lock ${lockPathOf(state)} cannot be used: it is a folder (EISDIR)`,
    );
    expect(hook.texts).toEqual([]);
  });

  it("a run stopped by SIGTERM while it delivers removes its lock", async () => {
    // The receiver never answers: the run is held inside its first delivery.
    const texts: string[] = [];
    const server = createServer((req) => req.on("data", (c: Buffer) => texts.push(String(c))));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const state = join(dir, "stopped.json");
    const child = spawn(
      process.execPath,
      [
        join(ROOT, "bin", "slo.js"),
        "alerts",
        checkoutSlo,
        "--at",
        PAGE_AT,
        "--webhook",
        url,
        "--state",
        state,
      ],
      { cwd: ROOT, stdio: "ignore" },
    );
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on("exit", (_code, signal) => resolve(signal)),
    );
    const deadline = Date.now() + 60_000;
    while (texts.length === 0) {
      if (Date.now() > deadline) throw new Error("the delivery never arrived");
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(await exists(lockPathOf(state))).toBe(true);
    child.kill("SIGTERM");
    expect(await exited).toBe("SIGTERM");
    expect(await exists(lockPathOf(state))).toBe(false);
  });
});

describe("writing the state", () => {
  it("keeps the entries another writer added since this run read the file", async () => {
    const path = join(dir, "merge.json");
    const notified = { severity: "page" as const, since: PAGE_AT, sentAt: PAGE_AT };
    const mine = await AlertStateStore.open(path);
    const theirs = await AlertStateStore.open(path);
    await theirs.record("webhook:aaaa", "search/availability", notified);
    await theirs.record("webhook:bbbb", "other/slo", notified);
    await mine.record("webhook:aaaa", "checkout/availability", notified);
    expect((await readStateFile(path)).targets).toEqual({
      "webhook:aaaa": { "search/availability": notified, "checkout/availability": notified },
      "webhook:bbbb": { "other/slo": notified },
    });
    await mine.record("webhook:aaaa", "checkout/availability", null);
    expect((await readStateFile(path)).targets).toEqual({
      "webhook:aaaa": { "search/availability": notified },
      "webhook:bbbb": { "other/slo": notified },
    });
  });
});
