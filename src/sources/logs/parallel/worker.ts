/**
 * A worker thread of the logs source: it compiles the requests once, then
 * runs the jobs it is sent (files and byte ranges) and posts back each
 * job's tallies and diagnostics. Started by worker-pool.ts.
 */

import { parentPort, workerData } from "node:worker_threads";
import type { LogsSourceSpec } from "../../../definition/model.js";
import type { CountRequest } from "../../types.js";
import { planRequest, type RequestPlan } from "../evaluation/request-plan.js";
import { runJob } from "./jobs.js";
import type { ToWorker } from "./worker-pool.js";

/** Progress is posted every this many bytes read. */
const PROGRESS_BYTES = 8 * 1024 * 1024;

const port = parentPort!;
const setup = workerData as { spec: LogsSourceSpec; requests: CountRequest[] };
const plans = setup.requests.map((r) => {
  const plan = planRequest(r, setup.spec);
  if (!("kind" in plan))
    throw new Error(`internal: request ${r.slo.name} did not compile in a worker`);
  return plan as RequestPlan;
});

port.on("message", async (message: ToWorker) => {
  if (message.type === "stop") {
    port.close();
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
    const result = await runJob(message.job, plans, setup.spec, { onBytes });
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
