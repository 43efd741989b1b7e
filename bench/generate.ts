/**
 * The benchmark's input: NDJSON in the example service's log format (see
 * slos/ctrl.yaml), padded with the fields real services add (trace ids,
 * host, caller, user agent) to about 400 bytes a line, over the 30 days up
 * to END. A seeded PRNG makes every run write the same bytes.
 */

import { spawn } from "node:child_process";
import { closeSync, createReadStream, openSync, renameSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { mulberry32 } from "../scripts/mulberry32.js";

/** The instant the data ends at, and the bench's --at. */
export const END = "2026-11-24T12:00:00Z";
const END_MS = Date.parse(END);
export const SPAN_MS = 30 * 86_400_000;
/** Bump when the format changes, so cached files are not reused. */
export const FORMAT_VERSION = 1;

const ACTIONS = ["CheckBalance", "GetStatement", "Transfer"] as const;
const PATHS: Record<(typeof ACTIONS)[number], string> = {
  CheckBalance: "balance",
  GetStatement: "statement",
  Transfer: "transfers",
};
const AGENTS = [
  "ctrl-mobile/4.12.0 (Android 14; Pixel 8)",
  "ctrl-mobile/4.11.2 (iOS 17.5; iPhone15,3)",
  "ctrl-web/2026.11.3 (+https://ctrl.example.com)",
];
const PARTNERS = ["fincore-eu", "fincore-us", "ledgerly"];

/**
 * Write about targetBytes of log lines to path (through a temporary file,
 * so an interrupted run leaves no half file behind). shards: the HTTP
 * lines also carry `"shard":"s<n>"`, n from 0 to shards - 1 in turn (for
 * `groupBy`); without it the bytes are those of every earlier run.
 */
export function generateLogs(path: string, targetBytes: number, seed = 20261124, shards = 0): void {
  const rnd = mulberry32(seed);
  const hex = (n: number): string => {
    let s = "";
    while (s.length < n) s += ((rnd() * 0x100000000) >>> 0).toString(16).padStart(8, "0");
    return s.slice(0, n);
  };
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const accounts = Array.from({ length: 2000 }, () => `5c52${hex(20)}`);
  const hosts = Array.from({ length: 12 }, () => `ctrl-7f9c4d-${hex(5)}`);
  // lines average about 430 bytes: the count that makes about targetBytes over the span
  const count = Math.round(targetBytes / 430);
  const startMs = END_MS - SPAN_MS;
  const temp = `${path}.partial`;
  const fd = openSync(temp, "w");
  let batch = "";
  for (let i = 0; i < count; i++) {
    // strictly inside (END - 30d, END]: the 30-day window holds every line
    const ms = startMs + 1 + Math.floor(((i + 0.5) / count) * (SPAN_MS - 2));
    const t = `${new Date(ms).toISOString().slice(0, 23)}${String(Math.floor(rnd() * 1e6)).padStart(6, "0")}Z`;
    const roll = rnd();
    const host = pick(hosts);
    const trace = hex(32);
    let line: string;
    if (roll < 0.75) {
      const r = rnd();
      const status = r < 0.001 ? 500 + Math.floor(rnd() * 4) : r < 0.011 ? 404 : 200;
      const action = rnd() < 0.7 ? ACTIONS[0] : pick(ACTIONS);
      const account = pick(accounts);
      // log-normal around 120 ms, a long tail past 300 ms
      const z = (rnd() + rnd() + rnd() + rnd() - 2) * 1.7;
      const duration = Math.round(Math.exp(Math.log(120) + 0.45 * z) * 1e6) / 1e6;
      line = `{"lvl":"${status >= 500 ? "error" : "debug"}","msg":"brkr-somesystem-http-response","t":"${t}","status":${status},"duration":${duration},"action":"${action}","method":"${action === "Transfer" ? "POST" : "GET"}","path":"/v2/accounts/${account}/${PATHS[action]}","AccountID":"${account}","RequestID":"${hex(6)}","trace_id":"${trace}","host":"${host}","caller":"brkr/client.go:214","bytes":${Math.floor(rnd() * 4000) + 200},"user_agent":"${pick(AGENTS)}"${shards > 0 ? `,"shard":"s${i % shards}"` : ""}}`;
    } else if (roll < 0.9) {
      const bad = rnd() < 0.001;
      line = `{"lvl":"${bad ? "error" : "info"}","msg":"${bad ? "api-sync-fail-customer-info-err_timeout" : "api-sync-customer-info-ok"}","t":"${t}","AccountID":"${pick(accounts)}","RequestID":"${hex(6)}","partner":"${pick(PARTNERS)}","attempt":${rnd() < 0.95 ? 1 : 2},"latency_ms":${Math.floor(rnd() * 900) + 40},"trace_id":"${trace}","host":"${host}","caller":"sync/customer_info.go:88","region":"eu-west-1","queue":"customer-info-sync","worker_pool":"sync-default"}`;
    } else {
      const failed = rnd() < 0.001;
      line = `{"lvl":"${failed ? "error" : "info"}","msg":"${failed ? "sms-poke-worker-error-sending-batch-sms" : "sms-poke-worker-sent-batch-sms"}","t":"${t}","batch":${Math.floor(rnd() * 50) + 1},"provider":"smsgw-${pick(["a", "b"])}","template":"balance-low-v3","trace_id":"${trace}","host":"${host}","caller":"sms/poke_worker.go:131","region":"eu-west-1","queue":"sms-batch","worker_pool":"sms-default","retries":0}`;
    }
    batch += `${line}\n`;
    if (batch.length >= 4 * 1024 * 1024) {
      writeSync(fd, batch);
      batch = "";
    }
  }
  if (batch.length > 0) writeSync(fd, batch);
  closeSync(fd);
  renameSync(temp, path);
}

/**
 * Cut a plain NDJSON file into `parts` gzip files at line boundaries
 * (`gzip -6`, `jobs` at a time), so they hold exactly its lines.
 */
export async function splitToGzip(
  source: string,
  parts: string[],
  size: number,
  jobs: number,
): Promise<void> {
  const bounds = [0];
  const file = await open(source, "r");
  try {
    const probe = Buffer.alloc(64 * 1024);
    for (let k = 1; k < parts.length; k++) {
      const at = Math.floor((size * k) / parts.length);
      const { bytesRead } = await file.read(probe, 0, probe.length, at);
      const nl = probe.subarray(0, bytesRead).indexOf(10);
      if (nl < 0) throw new Error("no line break near a split point");
      bounds.push(at + nl + 1);
    }
  } finally {
    await file.close();
  }
  bounds.push(size);
  let next = 0;
  const worker = async () => {
    while (next < parts.length) {
      const k = next++;
      await gzipRange(source, bounds[k]!, bounds[k + 1]!, parts[k]!);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
}

function gzipRange(source: string, from: number, to: number, out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const temp = `${out}.partial`;
    const fd = openSync(temp, "w");
    const gzip = spawn("gzip", ["-6", "-c"], { stdio: ["pipe", fd, "inherit"] });
    createReadStream(source, { start: from, end: to - 1 }).pipe(gzip.stdin!);
    gzip.on("error", reject);
    gzip.on("close", (code) => {
      closeSync(fd);
      if (code !== 0) return reject(new Error(`gzip exited with ${code}`));
      renameSync(temp, out);
      resolve();
    });
  });
}
