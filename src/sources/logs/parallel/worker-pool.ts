/**
 * Worker threads for the logs source: each runs jobs (files, byte ranges)
 * pulled from one queue, so a slow .gz file does not hold up the rest.
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

export type ToWorker = { type: "job"; id: number; job: LogJob } | { type: "stop" };

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

/**
 * Run the jobs on up to `workers` threads; results in job order. Rejects
 * with a JobError when a job fails (the other workers are stopped).
 */
export function runInWorkers(
  jobs: LogJob[],
  spec: LogsSourceSpec,
  requests: CountRequest[],
  workers: number,
  onBytes?: (n: number) => void,
): Promise<JobResult[]> {
  if (jobs.length === 0) return Promise.resolve([]);
  cachedEntry ??= workerEntry();
  const entry = cachedEntry;
  if (entry === null) return Promise.reject(new Error("internal: no worker entry"));
  const results: JobResult[] = new Array(jobs.length);
  let next = 0;
  let finished = 0;
  const threads: Worker[] = [];

  return new Promise<JobResult[]>((resolve, reject) => {
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      for (const thread of threads) void thread.terminate();
      reject(error);
    };
    const giveWork = (thread: Worker) => {
      if (next < jobs.length) {
        const id = next++;
        thread.postMessage({ type: "job", id, job: jobs[id]! } satisfies ToWorker);
      } else {
        thread.postMessage({ type: "stop" } satisfies ToWorker);
      }
    };
    const count = Math.max(1, Math.min(workers, jobs.length));
    for (let i = 0; i < count; i++) {
      const thread = new Worker(entry, { workerData: { spec, requests } });
      threads.push(thread);
      thread.on("message", (message: FromWorker) => {
        if (message.type === "progress") {
          onBytes?.(message.bytes);
        } else if (message.type === "done") {
          results[message.id] = message.result;
          finished++;
          if (finished === jobs.length) resolve(results);
          giveWork(thread);
        } else {
          fail(new JobError(jobs[message.id]!, message.message));
        }
      });
      thread.on("error", (error) => fail(error));
      thread.on("exit", (code) => {
        if (code !== 0 && finished < jobs.length)
          fail(new Error(`a logs worker stopped with exit code ${code}`));
      });
      giveWork(thread);
    }
  });
}
