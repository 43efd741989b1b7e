/**
 * Real servers for integration tests: Prometheus, VictoriaMetrics and
 * Alertmanager from Debian, installed when missing, each started on
 * 127.0.0.1 as a direct child process, awaited with a deadline (printing
 * its log when missed) and stopped by its own PID. See
 * docs/real-services.md for the facts these helpers rely on.
 *
 * Under CI=true a server that cannot be had fails the suite; elsewhere the
 * suite is skipped with a loud message.
 */

import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { constants } from "node:fs";
import { access, cp, mkdir, mkdtemp, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { RuleFormat } from "../../src/rules/render.js";
import { freePort } from "./misbehaving-server.js";

export const SERVER_PACKAGES = ["prometheus", "victoria-metrics", "prometheus-alertmanager"];
const INSTALL_TIMEOUT_MS = 240_000;
const READY_DEADLINE_MS = 30_000;
const STOP_DEADLINE_MS = 10_000;
const LOG_LIMIT = 200_000;

export interface RunningServer {
  name: string;
  url: string;
  pid: number;
  /** what the server printed so far */
  log(): string;
  stop(): Promise<void>;
}

export function isCI(): boolean {
  return process.env.CI === "true";
}

// ---------------------------------------------------------------------------
// Installing

export async function which(binary: string): Promise<string | null> {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (!dir) continue;
    try {
      await access(join(dir, binary), constants.X_OK);
      return join(dir, binary);
    } catch {
      // not in this directory
    }
  }
  return null;
}

async function missing(binaries: readonly string[]): Promise<string[]> {
  const found = await Promise.all(binaries.map(which));
  return binaries.filter((_, i) => found[i] === null);
}

/**
 * The binaries, installing Debian's packages when one is absent. Test files
 * run in parallel: a lock directory keeps two apt-gets from colliding.
 */
export async function ensureBinaries(
  binaries: readonly string[],
): Promise<{ ok: true } | { ok: false; reason: string }> {
  if ((await missing(binaries)).length === 0) return { ok: true };
  if (process.getuid?.() !== 0) {
    return {
      ok: false,
      reason: `${(await missing(binaries)).join(", ")} missing, and not root to install them`,
    };
  }
  const lock = join(tmpdir(), "slo-test-apt-install.lock");
  try {
    const installed = await withDirLock(
      lock,
      { staleMs: INSTALL_TIMEOUT_MS, timeoutMs: INSTALL_TIMEOUT_MS, pollMs: 500 },
      async () =>
        (await missing(binaries)).length === 0 ? { ok: true as const } : aptInstall(binaries),
      // someone else installed them meanwhile
      async () => (await missing(binaries)).length === 0,
    );
    return installed ?? { ok: true };
  } catch (error) {
    return { ok: false, reason: (error as Error).message };
  }
}

async function aptInstall(
  binaries: readonly string[],
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const script =
    "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends " +
    SERVER_PACKAGES.join(" ");
  const result = await run("bash", ["-c", script], { timeoutMs: INSTALL_TIMEOUT_MS });
  const still = await missing(binaries);
  if (still.length === 0) return { ok: true };
  return {
    ok: false,
    reason: `apt-get exited ${result.code}; still missing ${still.join(", ")}\n${result.output.slice(-3000)}`,
  };
}

/**
 * Runs `work` holding a lock folder (mkdir is atomic): test files run in
 * parallel, and one installs, unpacks or builds while the others wait. A
 * lock older than staleMs was left by a dead holder and is taken over;
 * `done` ends the wait without running `work` once another holder has done
 * it (undefined is returned then).
 */
export async function withDirLock<T>(
  lock: string,
  limits: { staleMs: number; timeoutMs: number; pollMs: number },
  work: () => Promise<T>,
  done?: () => Promise<boolean>,
): Promise<T | undefined> {
  const deadline = Date.now() + limits.timeoutMs;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > limits.staleMs) await rm(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      await sleep(limits.pollMs);
      if (await done?.()) return undefined;
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/**
 * True when the binaries are there (installed if need be). Otherwise: under
 * CI=true, throws, failing the test file; elsewhere warns loudly and returns false.
 */
export async function requireBinaries(
  binaries: readonly string[],
  suite: string,
): Promise<boolean> {
  const result = await ensureBinaries(binaries);
  if (result.ok) return true;
  serverUnavailable(suite, result.reason);
  return false;
}

/** A server a suite needs cannot be had: under CI=true that fails the run; elsewhere a loud warning, and the suite skips. */
export function serverUnavailable(suite: string, reason: string): void {
  const message = `${suite}: cannot run, ${reason}`;
  if (isCI()) throw new Error(`${message}\n(CI=true: a missing server fails the run)`);
  const bar = "!".repeat(78);
  console.warn(`\n${bar}\n!! SKIPPED ${message}\n${bar}\n`);
}

// ---------------------------------------------------------------------------
// Running commands and servers

export interface CommandResult {
  code: number | null;
  output: string;
}

/** Run to completion with a deadline; stdout and stderr together. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; timeoutMs: number; input?: string },
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-LOG_LIMIT);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    child.on("error", reject);
    const timer = setTimeout(() => {
      output += `\n[killed after ${options.timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
    child.stdin.end(options.input ?? "");
  });
}

/** Children still running, killed if the test process exits without stopping them. */
const running = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

export interface LaunchOptions {
  cwd: string;
  readyPath: string;
  /** the port, when chosen beforehand */
  port?: number;
  /** how to read the port from the log, when the server picks it (listening on :0) */
  portFromLog?: RegExp;
}

export async function launch(
  name: string,
  command: string,
  args: readonly string[],
  options: LaunchOptions,
): Promise<RunningServer> {
  const child = spawn(command, args, { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let log = "";
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-LOG_LIMIT);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.on("exit", () => {
      exited = true;
      running.delete(child);
      resolve();
    });
    child.on("error", (error) => {
      log += `\n[spawn error: ${error.message}]`;
      exited = true;
      running.delete(child);
      resolve();
    });
  });

  const stop = async () => {
    if (exited || child.pid === undefined) return;
    process.kill(child.pid, "SIGTERM");
    const timer = setTimeout(() => {
      if (!exited && child.pid !== undefined) process.kill(child.pid, "SIGKILL");
    }, STOP_DEADLINE_MS);
    await exit;
    clearTimeout(timer);
  };

  const fail = async (why: string): Promise<never> => {
    await stop();
    throw new Error(`${name} ${why}; its log:\n${log || "(empty)"}`);
  };

  const deadline = Date.now() + READY_DEADLINE_MS;
  let port = options.port;
  while (port === undefined) {
    const m = options.portFromLog?.exec(log);
    if (m) port = Number(m[1]);
    else if (exited) return fail("exited before it listened");
    else if (Date.now() > deadline)
      return fail(`did not say its port within ${READY_DEADLINE_MS / 1000}s`);
    else await sleep(25);
  }
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exited) return fail("exited before it was ready");
    if (Date.now() > deadline) return fail(`was not ready within ${READY_DEADLINE_MS / 1000}s`);
    const ready = await fetch(`${url}${options.readyPath}`, {
      signal: AbortSignal.timeout(1000),
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    await sleep(25);
  }
  return { name, url, pid: child.pid!, log: () => log, stop };
}

/** A fresh temporary directory for one server's files. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `slo-${prefix}-`));
}

// ---------------------------------------------------------------------------
// The servers

export interface PrometheusOptions {
  /** one scrape job (targets host:port, /metrics), e.g. a test endpoint */
  scrape?: { job: string; targets: string[]; interval: string };
  /** --enable-feature flags, e.g. native-histograms */
  features?: string[];
}

/**
 * Prometheus on a TSDB directory (backfill it first with createBlocks: blocks
 * added to a running server appear only at its next reload). Retention 100y,
 * or start-up deletes blocks older than 15 days.
 */
export async function startPrometheus(
  dataDir: string,
  options: PrometheusOptions = {},
): Promise<RunningServer> {
  const dir = await tempDir("prometheus-config");
  const config = join(dir, "prometheus.yml");
  const scrape = options.scrape;
  const scrapeConfigs = scrape
    ? `[{job_name: ${JSON.stringify(scrape.job)}, scrape_interval: ${scrape.interval}, static_configs: [{targets: ${JSON.stringify(scrape.targets)}}]}]`
    : "[]";
  await writeFile(
    config,
    `global: {scrape_interval: 15s, evaluation_interval: 15s}\nscrape_configs: ${scrapeConfigs}\n`,
  );
  return launch(
    "prometheus",
    "prometheus",
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${dataDir}`,
      "--storage.tsdb.retention.time=100y",
      "--web.listen-address=127.0.0.1:0",
      ...(options.features?.length ? [`--enable-feature=${options.features.join(",")}`] : []),
    ],
    {
      cwd: dir,
      readyPath: "/-/ready",
      // "Start listening for connections" repeats :0; "Listening on" has the real port.
      portFromLog: /msg="Listening on"[^\n]*address=\S*?:(\d+)/,
    },
  );
}

const BLOCKS_LOCK_STALE_MS = 120_000;

/**
 * OpenMetrics text -> TSDB blocks in `dataDir`. promtool runs once per
 * distinct text (several test files backfill the same history, at several
 * seconds each): the blocks are kept in a cache directory named by the
 * text's hash and copied, so each Prometheus still gets a directory of its own.
 */
export async function createBlocks(openMetrics: string, dataDir: string): Promise<void> {
  const key = createHash("sha256").update(openMetrics).digest("hex").slice(0, 16);
  const cache = join(tmpdir(), `slo-test-blocks-${key}`);
  const done = join(cache, ".complete");
  const exists = (path: string) =>
    stat(path).then(
      () => true,
      () => false,
    );
  if (!(await exists(done))) {
    // Test files run in parallel: one runs promtool, the others wait for it.
    await withDirLock(
      `${cache}.lock`,
      { staleMs: BLOCKS_LOCK_STALE_MS, timeoutMs: BLOCKS_LOCK_STALE_MS, pollMs: 200 },
      async () => {
        if (await exists(done)) return;
        const building = await tempDir("blocks-building");
        await runPromtool(openMetrics, building);
        await writeFile(join(building, ".complete"), "");
        await rm(cache, { recursive: true, force: true });
        await rename(building, cache);
      },
    );
  }
  await cp(cache, dataDir, {
    recursive: true,
    filter: (source) => source !== done,
  });
}

/** The flag makes 30 days take seconds, not half a minute. */
async function runPromtool(openMetrics: string, dataDir: string): Promise<void> {
  const dir = await tempDir("openmetrics");
  const file = join(dir, "data.om");
  await writeFile(file, openMetrics);
  const result = await run(
    "promtool",
    ["tsdb", "create-blocks-from", "openmetrics", "-q", "--max-block-duration=24h", file, dataDir],
    { cwd: dir, timeoutMs: 60_000 },
  );
  await rm(dir, { recursive: true, force: true });
  if (result.code !== 0)
    throw new Error(`promtool exited ${result.code}:\n${result.output.slice(-3000)}`);
}

/**
 * `promtool check rules` on what `slo rules --format <format>` wrote. promtool
 * reads plain rule files only: the groups of a prometheus-operator file's
 * PrometheusRule resources are checked as one rule file of their own.
 */
export async function promtoolCheckRules(text: string, format: RuleFormat): Promise<CommandResult> {
  const dir = await tempDir("promtool-check");
  const file = join(dir, "rules.yaml");
  await writeFile(file, format === "prometheus" ? text : operatorGroups(text));
  const result = await run("promtool", ["check", "rules", file], { cwd: dir, timeoutMs: 60_000 });
  await rm(dir, { recursive: true, force: true });
  return result;
}

/** The groups of every PrometheusRule resource, as one plain rule file. */
function operatorGroups(text: string): string {
  const resources = parseAllDocuments(text).map((d) => d.toJS() as { spec: { groups: unknown[] } });
  return JSON.stringify({ groups: resources.flatMap((r) => r.spec.groups) });
}

/**
 * VictoriaMetrics, which does not log a port it picks: a free port is chosen
 * first. No cache and no latency offset, so answers are exact at once.
 */
export async function startVictoriaMetrics(dataDir: string): Promise<RunningServer> {
  const port = await freePort();
  return launch(
    "victoria-metrics",
    "victoria-metrics",
    [
      `-storageDataPath=${dataDir}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      "-retentionPeriod=100y",
      "-search.disableCache",
      "-search.latencyOffset=0s",
    ],
    { cwd: dataDir, readyPath: "/health", port },
  );
}

/**
 * Alertmanager with one sink receiver; clustering off (`--cluster.listen-address=`),
 * or it listens on every interface.
 */
export async function startAlertmanager(config?: string): Promise<RunningServer> {
  const dir = await tempDir("alertmanager");
  const file = join(dir, "am.yml");
  await writeFile(
    file,
    config ??
      "route: {receiver: sink, group_by: [alertname], group_wait: 1s, group_interval: 1s, repeat_interval: 1h}\nreceivers: [{name: sink}]\n",
  );
  return launch(
    "alertmanager",
    "prometheus-alertmanager",
    [
      `--config.file=${file}`,
      `--storage.path=${join(dir, "data")}`,
      "--web.listen-address=127.0.0.1:0",
      "--cluster.listen-address=",
    ],
    {
      cwd: dir,
      readyPath: "/-/ready",
      portFromLog: /msg="Listening on"[^\n]*address=\S*?:(\d+)/,
    },
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Imports Prometheus text into a VictoriaMetrics and makes it searchable:
 * force_flush before the first query (a query before it caches an empty
 * answer), then wait until `probe` answers uncached at `atMs`, since flushed
 * parts become searchable a moment later on a busy machine.
 */
export async function loadVictoriaMetrics(
  url: string,
  bodies: Iterable<string>,
  probe: { query: string; atMs: number },
): Promise<void> {
  const imported = { samples: 0, firstMs: Number.POSITIVE_INFINITY, lastMs: 0 };
  for (const body of bodies) {
    for (const line of body.split("\n")) {
      if (!line) continue;
      const ms = Number(line.slice(line.lastIndexOf(" ") + 1));
      imported.samples++;
      imported.firstMs = Math.min(imported.firstMs, ms);
      imported.lastMs = Math.max(imported.lastMs, ms);
    }
    const response = await fetch(`${url}/api/v1/import/prometheus`, { method: "POST", body });
    if (!response.ok) throw new Error(`import: HTTP ${response.status} ${await response.text()}`);
  }
  // Rows reach the storage some time after their POST answers, and a flush
  // makes searchable only what has reached it: flush and count every sample
  // until all are there (a probe alone answers once any series it matches is,
  // even one whose counter did not move, a sum of 0).
  const deadline = Date.now() + 15_000;
  for (;;) {
    const flushed = await fetch(`${url}/internal/force_flush`);
    if (!flushed.ok) throw new Error(`force_flush: HTTP ${flushed.status}`);
    const [searchable, probed] = await Promise.all([
      samplesSearchable(url, imported),
      probeAnswers(url, probe),
    ]);
    if (searchable >= imported.samples && probed) return;
    if (Date.now() > deadline)
      throw new Error(
        `VictoriaMetrics: ${searchable} of ${imported.samples} samples searchable, probe ${probe.query} ${probed ? "answered" : "empty"}, after 15 s`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function samplesSearchable(
  url: string,
  imported: { firstMs: number; lastMs: number },
): Promise<number> {
  const spanS = Math.ceil((imported.lastMs - imported.firstMs) / 1000) + 60;
  const params = new URLSearchParams({
    query: `sum(count_over_time({__name__=~".+"}[${spanS}s]))`,
    time: String(imported.lastMs / 1000),
    nocache: "1",
  });
  const answer = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as {
    data: { result: { value: [number, string] }[] };
  };
  return Number(answer.data.result[0]?.value[1] ?? 0);
}

async function probeAnswers(url: string, probe: { query: string; atMs: number }): Promise<boolean> {
  const params = new URLSearchParams({
    query: probe.query,
    time: String(probe.atMs / 1000),
    nocache: "1",
  });
  const answer = (await (await fetch(`${url}/api/v1/query?${params}`)).json()) as {
    data: { result: unknown[] };
  };
  return answer.data.result.length > 0;
}
