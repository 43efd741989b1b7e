/**
 * A worker thread of the logs source: it compiles each read's requests
 * once (when sent them), then runs the jobs it is sent (files and byte
 * ranges) and posts back each job's tallies and diagnostics. Started by
 * worker-pool.ts.
 */

import { parentPort } from "node:worker_threads";
import type { LogsSourceSpec } from "../../../definition/model.js";
import type { CountRequest } from "../../types.js";
import { planRequest, type RequestPlan } from "../evaluation/request-plan.js";
import { runJob } from "./jobs.js";
import type { ToWorker } from "./worker-pool.js";

/** Progress is posted every this many bytes read. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

const port = parentPort!;
/** the compiled requests of each read this thread has run a job of */
const reads = new Map<number, { spec: LogsSourceSpec; plans: RequestPlan[] }>();

function compile(spec: LogsSourceSpec, requests: CountRequest[]): RequestPlan[] {
  return requests.map((r) => {
    const plan = planRequest(r, spec);
    if (!("kind" in plan))
      throw new Error(`internal: request ${r.slo.name} did not compile in a worker`);
    return plan as RequestPlan;
  });
}

port.on("message", async (message: ToWorker) => {
  if (message.type === "stop") {
    port.close();
    return;
  }
  if (message.type === "read") {
    reads.set(message.read, { spec: message.spec, plans: compile(message.spec, message.requests) });
    return;
  }
  if (message.type === "forget") {
    reads.delete(message.read);
    return;
  }
  let unreported = 0;
  const onBytes = (n: number) => {
    unreported += n;
    if (unreported >= PROGRESS_BYTES) {
      port.postMessage({ type: "progress", bytes: unreported });
      unreported = 0;
    }
  };
  try {
    const read = reads.get(message.read);
    if (!read) throw new Error(`internal: a job of read ${message.read}, which was not sent`);
    const result = await runJob(message.job, read.plans, read.spec, { onBytes });
    if (unreported > 0) port.postMessage({ type: "progress", bytes: unreported });
    port.postMessage({ type: "done", id: message.id, result });
  } catch (error) {
    port.postMessage({
      type: "failed",
      id: message.id,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
