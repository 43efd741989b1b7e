/**
 * Worker threads for the logs source: one pool for a run, whose threads
 * run jobs (files, byte ranges) of every read pulled from one queue, so a
 * slow .gz file does not hold up the rest and many sources do not each
 * start threads of their own.
 *
 * The worker is worker.ts itself when slo runs from its TypeScript source
 * (through tsx, as in tests and a clone), started behind a small bootstrap
 * that registers tsx in the new thread; worker.js next to this module when
 * slo is compiled. When neither can be found (a bundle) there are no
 * workers, and the caller reads on its own thread.
 */

import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { LogsSourceSpec } from "../../../definition/model.js";
import type { CountRequest } from "../../types.js";
import type { JobResult, LogJob } from "./jobs.js";

export type ToWorker =
  | { type: "read"; read: number; spec: LogsSourceSpec; requests: CountRequest[] }
  | { type: "job"; read: number; id: number; job: LogJob }
  | { type: "forget"; read: number }
  | { type: "stop" };

type FromWorker =
  | { type: "progress"; bytes: number }
  | { type: "done"; id: number; result: JobResult }
  | { type: "failed"; id: number; message: string };

/** A job failed in a worker: which one, and why. */
export class JobError extends Error {
  constructor(
    readonly job: LogJob,
    message: string,
  ) {
    super(message);
  }
}

/** How to start a worker here, or null when workers cannot be used. */
function workerEntry(): URL | null {
  const here = import.meta.url;
  if (!here.startsWith("file:")) return null;
  // The CLI bundle (scripts/build-cli.mjs) ships the worker beside itself.
  if (here.endsWith(".mjs")) {
    const bundled = new URL("./logs-worker.mjs", here);
    return existsSync(fileURLToPath(bundled)) ? bundled : null;
  }
  if (here.endsWith(".js")) {
    const compiled = new URL("./worker.js", here);
    return existsSync(fileURLToPath(compiled)) ? compiled : null;
  }
  const source = new URL("./worker.ts", here);
  if (!existsSync(fileURLToPath(source))) return null;
  const tsxApi = tsxEsmApi();
  if (tsxApi === null) return null;
  const bootstrap = [
    `import { register } from ${JSON.stringify(tsxApi)};`,
    "register();",
    `await import(${JSON.stringify(source.href)});`,
  ].join("\n");
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}

/** tsx's ESM API (its "import" entry: require.resolve would give the CommonJS one). */
function tsxEsmApi(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const pkgPath = require.resolve("tsx/package.json");
    const pkg = JSON.parse(readFileSync(pkgPath, "utf8")) as {
      exports?: Record<string, { import?: { default?: string } } | string>;
    };
    const entry = pkg.exports?.["./esm/api"];
    const target = typeof entry === "object" ? entry.import?.default : undefined;
    return target ? new URL(target, pathToFileURL(pkgPath)).href : null;
  } catch {
    return null;
  }
}

let cachedEntry: URL | null | undefined;

export function workersAvailable(): boolean {
  cachedEntry ??= workerEntry();
  return cachedEntry !== null;
}

/** One read's jobs: its spec and requests (compiled once in each thread that runs one), and where results go. */
interface PoolRead {
  id: number;
  spec: LogsSourceSpec;
  requests: CountRequest[];
  jobs: LogJob[];
  onResult: (index: number, result: JobResult) => void;
  onBytes: ((n: number) => void) | undefined;
  left: number;
  failed: boolean;
  /** threads that have compiled this read's requests */
  knownBy: Set<Worker>;
  resolve: () => void;
  reject: (error: Error) => void;
}

interface QueuedJob {
  read: PoolRead;
  index: number;
}

/**
 * Worker threads shared by every read of a run: at most `size` alive at
 * once, started when there is work and none is idle, each running one job
 * at a time from one queue (reads in the order they came). A thread
 * compiles a read's requests the first time it runs one of its jobs and
 * forgets them when the read is done. close() ends every thread.
 */
export class WorkerPool {
  private readonly threads = new Map<Worker, QueuedJob | null>();
  private readonly queue: QueuedJob[] = [];
  private nextReadId = 0;
  private readonly entry: URL;

  constructor(private readonly size: number) {
    cachedEntry ??= workerEntry();
    if (cachedEntry === null) throw new Error("internal: no worker entry");
    this.entry = cachedEntry;
  }

  /**
   * Run one read's jobs; each result goes to onResult as it comes. Rejects
   * with a JobError when a job fails (the read's other jobs are dropped;
   * the pool's other reads go on).
   */
  run(
    spec: LogsSourceSpec,
    requests: CountRequest[],
    jobs: LogJob[],
    onResult: (index: number, result: JobResult) => void,
    onBytes?: (n: number) => void,
  ): Promise<void> {
    if (jobs.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const read: PoolRead = {
        id: this.nextReadId++,
        spec,
        requests,
        jobs,
        onResult,
        onBytes,
        left: jobs.length,
        failed: false,
        knownBy: new Set(),
        resolve,
        reject,
      };
      jobs.forEach((_, index) => {
        this.queue.push({ read, index });
      });
      this.dispatch();
    });
  }

  /** Stop every thread: idle ones when done, busy ones (a failed read's leftovers) now. */
  async close(): Promise<void> {
    const exits: Promise<unknown>[] = [];
    for (const [thread, busy] of this.threads) {
      exits.push(new Promise((resolve) => thread.once("exit", resolve)));
      if (busy) void thread.terminate();
      else thread.postMessage({ type: "stop" } satisfies ToWorker);
    }
    this.threads.clear();
    this.queue.length = 0;
    await Promise.all(exits);
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const thread = this.idleThread() ?? this.startThread();
      if (thread === null) return;
      const queued = this.queue.shift()!;
      if (queued.read.failed) continue;
      this.give(thread, queued);
    }
  }

  private idleThread(): Worker | null {
    for (const [thread, busy] of this.threads) if (busy === null) return thread;
    return null;
  }

  private startThread(): Worker | null {
    if (this.threads.size >= this.size) return null;
    const thread = new Worker(this.entry);
    this.threads.set(thread, null);
    thread.on("message", (message: FromWorker) => this.onMessage(thread, message));
    thread.on("error", (error) => this.onThreadLost(thread, error));
    thread.on("exit", (code) => {
      if (this.threads.has(thread))
        this.onThreadLost(thread, new Error(`a logs worker stopped with exit code ${code}`));
    });
    return thread;
  }

  private give(thread: Worker, queued: QueuedJob): void {
    const { read, index } = queued;
    this.threads.set(thread, queued);
    if (!read.knownBy.has(thread)) {
      read.knownBy.add(thread);
      thread.postMessage({
        type: "read",
        read: read.id,
        spec: read.spec,
        requests: read.requests,
      } satisfies ToWorker);
    }
    thread.postMessage({
      type: "job",
      read: read.id,
      id: index,
      job: read.jobs[index]!,
    } satisfies ToWorker);
  }

  private onMessage(thread: Worker, message: FromWorker): void {
    const running = this.threads.get(thread);
    if (!running) return;
    const { read } = running;
    if (message.type === "progress") {
      if (!read.failed) read.onBytes?.(message.bytes);
      return;
    }
    this.threads.set(thread, null);
    if (message.type === "done") {
      if (!read.failed) {
        read.onResult(message.id, message.result);
        if (--read.left === 0) this.finish(read);
      }
    } else {
      this.fail(read, new JobError(read.jobs[message.id]!, message.message));
    }
    this.dispatch();
  }

  /** A thread that crashed or stopped on its own: its job's read fails, the pool starts another when needed. */
  private onThreadLost(thread: Worker, error: Error): void {
    const running = this.threads.get(thread);
    this.threads.delete(thread);
    if (running) this.fail(running.read, error);
    this.dispatch();
  }

  private fail(read: PoolRead, error: Error): void {
    if (read.failed) return;
    read.failed = true;
    this.forget(read);
    read.reject(error);
  }

  private finish(read: PoolRead): void {
    this.forget(read);
    read.resolve();
  }

  private forget(read: PoolRead): void {
    for (const thread of read.knownBy) {
      if (this.threads.has(thread))
        thread.postMessage({ type: "forget", read: read.id } satisfies ToWorker);
    }
    read.knownBy.clear();
  }
}

/**
 * Run the jobs on a pool of their own of up to `workers` threads; results
 * in job order. Rejects with a JobError when a job fails.
 */
export async function runInWorkers(
  jobs: LogJob[],
  spec: LogsSourceSpec,
  requests: CountRequest[],
  workers: number,
  onBytes?: (n: number) => void,
): Promise<JobResult[]> {
  const pool = new WorkerPool(Math.max(1, Math.min(workers, jobs.length)));
  const results: JobResult[] = new Array(jobs.length);
  try {
    await pool.run(
      spec,
      requests,
      jobs,
      (i, result) => {
        results[i] = result;
      },
      onBytes,
    );
    return results;
  } finally {
    await pool.close();
  }
}
