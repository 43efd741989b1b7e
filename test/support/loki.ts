/**
 * The real Grafana Loki 2.7.5 for tests (../shared/tools/loki/, see
 * ../shared/docs/loki.md): found as LOKI_BIN, as a `loki` on PATH that says
 * `loki, version`, or unpacked from the shared folder into .tmp/tools/ (its
 * sha256 checked). Each test gets its own instance on 127.0.0.1 with a
 * fresh data folder, started as a direct child and stopped by its PID.
 *
 * The config is the one loki.md measured: backfilled history visible
 * (query_store_max_look_back_period -1, old samples accepted, no query
 * length limit, no query splitting), /ready in a fraction of a second, and a
 * ruler reading <dir>/rules/fake/*.yaml every second or so.
 */

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream, existsSync, readFileSync } from "node:fs";
import { access, chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { ROOT } from "./cli.js";
import { freePort } from "./misbehaving-server.js";
import {
  launch,
  type RunningServer,
  run,
  serverUnavailable,
  sleep,
  tempDir,
  which,
  withDirLock,
} from "./servers.js";

export const LOKI_VERSION = "2.7.5";
const SHARED = sharedLokiFolder();
const ARCHIVE = join(SHARED, `loki-${LOKI_VERSION}-linux-amd64.xz`);
const CHECKSUM = join(SHARED, `loki-${LOKI_VERSION}-linux-amd64.sha256`);
const UNPACKED = join(ROOT, ".tmp", "tools", `loki-${LOKI_VERSION}`);
const UNPACK_LOCK_STALE_MS = 120_000;

/**
 * ../shared/tools/loki beside this checkout or, from a git worktree (whose
 * .git is a file naming <main>/.git/worktrees/<name>), beside the main one.
 */
function sharedLokiFolder(): string {
  const beside = (checkout: string) => resolve(checkout, "..", "shared", "tools", "loki");
  if (existsSync(beside(ROOT))) return beside(ROOT);
  try {
    const gitFile = readFileSync(join(ROOT, ".git"), "utf8");
    const main = /^gitdir:\s*(.+?)[\\/]\.git[\\/]worktrees[\\/]/m.exec(gitFile)?.[1];
    if (main && existsSync(beside(main))) return beside(main);
  } catch {
    // .git is a folder: not a worktree
  }
  return beside(ROOT);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function reportsLokiVersion(binary: string): Promise<boolean> {
  const result = await run(binary, ["-version"], { timeoutMs: 10_000 }).catch(() => null);
  return result?.code === 0 && /loki, version/.test(result.output);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}

/** xz -dc the shared archive next to its final place, check it, then rename: a half-written binary is never found. */
async function unpackShared(): Promise<void> {
  const expected = (await readFile(CHECKSUM, "utf8")).trim().split(/\s+/)[0];
  await mkdir(dirname(UNPACKED), { recursive: true });
  const partial = `${UNPACKED}.${process.pid}.partial`;
  const xz = spawn("xz", ["-dc", ARCHIVE], { stdio: ["ignore", "pipe", "inherit"] });
  const exit = new Promise<number | null>((done) => xz.on("close", done));
  await pipeline(xz.stdout, createWriteStream(partial));
  if ((await exit) !== 0) throw new Error(`xz -dc ${ARCHIVE} failed`);
  const actual = await sha256Of(partial);
  if (actual !== expected) {
    await rm(partial, { force: true });
    throw new Error(`${ARCHIVE}: sha256 ${actual}, expected ${expected}`);
  }
  await chmod(partial, 0o755);
  await rename(partial, UNPACKED);
}

/** Test files run in parallel: one unpacks, the others wait for it. */
async function unpackOnce(): Promise<void> {
  if (await exists(UNPACKED)) return;
  await mkdir(dirname(UNPACKED), { recursive: true });
  await withDirLock(
    `${UNPACKED}.lock`,
    { staleMs: UNPACK_LOCK_STALE_MS, timeoutMs: UNPACK_LOCK_STALE_MS, pollMs: 200 },
    async () => {
      if (!(await exists(UNPACKED))) await unpackShared();
    },
    () => exists(UNPACKED),
  );
}

/** The Loki binary, or why there is none. */
export async function findLoki(): Promise<{ path: string } | { reason: string }> {
  const fromEnv = process.env.LOKI_BIN;
  if (fromEnv) {
    return (await reportsLokiVersion(fromEnv))
      ? { path: fromEnv }
      : { reason: `LOKI_BIN=${fromEnv} does not answer 'loki, version'` };
  }
  const onPath = await which("loki");
  if (onPath && (await reportsLokiVersion(onPath))) return { path: onPath };
  if (await exists(ARCHIVE)) {
    await unpackOnce();
    return { path: UNPACKED };
  }
  return { reason: `no LOKI_BIN, no loki on PATH, and no ${ARCHIVE}` };
}

/**
 * The Loki binary when there is one. Otherwise: under CI=true, throws,
 * failing the test file; elsewhere warns loudly and returns null.
 */
export async function requireLoki(suite: string): Promise<string | null> {
  const found = await findLoki();
  if ("path" in found) return found.path;
  serverUnavailable(suite, found.reason);
  return null;
}

export interface LokiOptions {
  /** the ruler notifies this Alertmanager */
  alertmanagerUrl?: string;
  /** multi-tenant (auth_enabled: true): every request needs X-Scope-OrgID, push with a tenant */
  authEnabled?: boolean;
}

export interface RunningLoki extends RunningServer {
  /** where the ruler reads rule files: one folder per tenant, `fake` without auth */
  rulesDir: string;
  /** a tenant is required when the instance runs with authEnabled */
  push(streams: PushStream[], tenant?: string): Promise<void>;
}

export interface PushStream {
  stream: Record<string, string>;
  /** [unix nanoseconds as a string, line] */
  values: [string, string][];
}

function lokiConfig(dir: string, http: number, grpc: number, options: LokiOptions): string {
  const alertmanager = options.alertmanagerUrl
    ? `  alertmanager_url: ${options.alertmanagerUrl}\n  enable_alertmanager_v2: true\n`
    : "";
  return `auth_enabled: ${options.authEnabled === true}
server:
  http_listen_address: 127.0.0.1
  http_listen_port: ${http}
  grpc_listen_address: 127.0.0.1
  grpc_listen_port: ${grpc}
  log_level: warn
common:
  instance_addr: 127.0.0.1
  path_prefix: ${dir}
  storage:
    filesystem:
      chunks_directory: ${dir}/chunks
  replication_factor: 1
  ring:
    kvstore:
      store: inmemory
schema_config:
  configs:
    - from: 2020-01-01
      store: boltdb-shipper
      object_store: filesystem
      schema: v11
      index:
        prefix: index_
        period: 24h
ingester:
  query_store_max_look_back_period: -1
  max_chunk_age: 8760h
  lifecycler:
    min_ready_duration: 0s
limits_config:
  reject_old_samples: false
  max_query_length: 0
  split_queries_by_interval: 0
  max_entries_limit_per_query: 5000
query_scheduler:
  # 2.7.5's default, 100, is reached by a few parallel queries once each is sharded: HTTP 429
  max_outstanding_requests_per_tenant: 4096
frontend:
  scheduler_address: 127.0.0.1:${grpc}
frontend_worker:
  scheduler_address: 127.0.0.1:${grpc}
analytics:
  reporting_enabled: false
ruler:
  storage:
    type: local
    local:
      directory: ${dir}/rules
  rule_path: ${dir}/rules-temp
  evaluation_interval: 5s
  poll_interval: 1s
  enable_api: true
  resend_delay: 1s
  wal:
    dir: ${dir}/ruler-wal
    remote_flush_deadline: 1s
${alertmanager}`;
}

/** Pushes of at most this many lines: Loki refuses requests over 4 MB. */
const PUSH_BATCH_LINES = 500;

async function pushTo(url: string, streams: PushStream[], tenant?: string): Promise<void> {
  for (const { stream, values } of streams) {
    // Loki drops a line older than its stream's newest minus max_chunk_age/2: ascending is safe.
    const sorted = [...values].sort((a, b) => (BigInt(a[0]) < BigInt(b[0]) ? -1 : 1));
    for (let i = 0; i < sorted.length; i += PUSH_BATCH_LINES) {
      const body = JSON.stringify({
        streams: [{ stream, values: sorted.slice(i, i + PUSH_BATCH_LINES) }],
      });
      const response = await fetch(`${url}/loki/api/v1/push`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(tenant ? { "X-Scope-OrgID": tenant } : {}),
        },
        body,
      });
      if (response.status !== 204) {
        throw new Error(`Loki push: HTTP ${response.status} ${await response.text()}`);
      }
    }
  }
}

/** A fresh Loki on 127.0.0.1; stop it with stop() (SIGTERM by PID), which also removes its folder. */
export async function startLoki(binary: string, options: LokiOptions = {}): Promise<RunningLoki> {
  const dir = await tempDir("loki");
  const [http, grpc] = [await freePort(), await freePort()];
  const config = join(dir, "loki.yaml");
  await writeFile(config, lokiConfig(dir, http, grpc, options));
  const rulesDir = join(dir, "rules", "fake");
  await mkdir(rulesDir, { recursive: true });
  const server = await launch(
    "loki",
    binary,
    [`-config.file=${config}`, "-log.use-buffered=false"],
    { cwd: dir, readyPath: "/ready", port: http },
  );
  await waitForQueries(server, options.authEnabled === true);
  return {
    ...server,
    rulesDir,
    push: (streams, tenant) => pushTo(server.url, streams, tenant),
    stop: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** /ready can answer before the querier is wired to the scheduler (loki.md, gotcha 8): wait for a real answer. */
async function waitForQueries(server: RunningServer, authEnabled: boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`${server.url}/loki/api/v1/labels`, {
      signal: AbortSignal.timeout(2000),
      // with auth_enabled any tenant will do: the answer only proves queries are wired
      headers: authEnabled ? { "X-Scope-OrgID": "readiness-probe" } : {},
    }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(
        `loki answered /ready but not /loki/api/v1/labels; its log:\n${server.log()}`,
      );
    }
    await sleep(50);
  }
}

/** Unix nanoseconds as Loki's push API wants them. */
export function nanos(ms: number, extraNs = 0): string {
  return (BigInt(ms) * 1_000_000n + BigInt(extraNs)).toString();
}
