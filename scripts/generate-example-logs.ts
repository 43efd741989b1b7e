/**
 * Generates the example service's logs in slos/logs/: the "ctrl" service of
 * the observability talk this project grew from, 31 days up to the example's
 * evaluation instant, with a realistic incident. Deterministic: the same
 * bytes on every run (a seeded PRNG and gzip without a timestamp), so a test
 * can prove the committed sample is what this script makes.
 *
 *   npx tsx scripts/generate-example-logs.ts [outDir]
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { mulberry32 } from "./mulberry32.js";

/** The instant the README evaluates the example at (slo check --at ...). */
export const EXAMPLE_AT = "2026-11-24T12:00:00Z";
const END_MS = Date.parse(EXAMPLE_AT);
const DAY = 86_400_000;
const DAYS = 31;
const FILES = 4;

// Reset at every run, so the output depends on nothing but this file.
let random = mulberry32(20190924);
const hex = (n: number) =>
  Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
let accounts: string[] = [];
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** Busier in the local day (UTC+13), quiet at night. */
function trafficWeight(ms: number): number {
  const hour = (new Date(ms).getUTCHours() + 13) % 24;
  return 0.35 + 0.65 * Math.max(0, Math.sin(((hour - 6) / 24) * 2 * Math.PI));
}

/** RFC 3339 with nanoseconds, as the service logs them. */
function nanoTime(ms: number): string {
  const whole = Math.floor(ms);
  const nanos = String(Math.floor(random() * 1e6)).padStart(6, "0");
  return new Date(whole).toISOString().replace(/\.(\d{3})Z$/, `.$1${nanos}Z`);
}

/** Latency in ms: log-normal around 120 ms, a slow tail that sits near the 300 ms threshold. */
function latency(ms: number): number {
  const u = Math.max(random(), 1e-12);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  let d = Math.exp(Math.log(120) + 0.34 * normal);
  // A slow dependency nine to seven days before the end: the latency SLO's warning.
  const age = END_MS - ms;
  if (age < 9 * DAY && age > 7 * DAY && random() < 0.08) d += 250 + random() * 400;
  return Math.round(d * 1e6) / 1e6;
}

interface Incident {
  fromAgeMs: number;
  toAgeMs: number;
}

/** Customer-info sync: the partner API blocks us for three hours six days ago. */
const SYNC_BLOCKED: Incident = { fromAgeMs: 6 * DAY + 3 * 3_600_000, toAgeMs: 6 * DAY };

function inIncident(ms: number, incident: Incident): boolean {
  const age = END_MS - ms;
  return age < incident.fromAgeMs && age > incident.toAgeMs;
}

function lineFor(ms: number): string {
  const roll = random();
  const t = nanoTime(ms);
  const AccountID = pick(accounts);
  const RequestID = hex(6);
  if (roll < 0.72) {
    const action = random() < 0.7 ? "CheckBalance" : pick(["GetStatement", "Transfer"]);
    const status = random() < 0.0009 ? pick([500, 502, 503]) : random() < 0.01 ? 404 : 200;
    const duration = latency(ms);
    return JSON.stringify({
      lvl: status >= 500 ? "error" : "debug",
      msg: "brkr-somesystem-http-response",
      status,
      t,
      duration,
      action,
      AccountID,
      RequestID,
    });
  }
  if (roll < 0.9) {
    const blocked = inIncident(ms, SYNC_BLOCKED) ? random() < 0.55 : random() < 0.0004;
    const timeout = !blocked && random() < 0.0003;
    const msg = blocked
      ? "api-sync-fail-customer-info-err_temporary_blocked"
      : timeout
        ? "api-sync-fail-customer-info-err_timeout"
        : "api-sync-customer-info-ok";
    return JSON.stringify({
      lvl: blocked || timeout ? "error" : "info",
      msg,
      t,
      AccountID,
      RequestID,
    });
  }
  const failed = random() < 0.004;
  return JSON.stringify({
    lvl: failed ? "error" : "info",
    msg: failed ? "sms-poke-worker-error-sending-batch-sms" : "sms-poke-worker-sent-batch-sms",
    t,
    batch: Math.floor(random() * 50) + 1,
  });
}

export function generateExampleLogs(outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  random = mulberry32(20190924);
  accounts = Array.from({ length: 400 }, () => `5c52${hex(20)}`);
  const start = END_MS - DAYS * DAY;
  const perFile = (DAYS * DAY) / FILES;
  const written: string[] = [];
  let ms = start;
  for (let f = 0; f < FILES; f++) {
    const until = start + (f + 1) * perFile;
    const lines: string[] = [];
    while (ms < until) {
      lines.push(lineFor(ms));
      // ~2,900 events a day, following the daily traffic curve.
      ms += (-Math.log(Math.max(random(), 1e-12)) * 30_000) / trafficWeight(ms);
    }
    const day = new Date(start + f * perFile).toISOString().slice(0, 10);
    const name = `ctrl-${day}.ndjson.gz`;
    writeFileSync(join(outDir, name), gzipSync(`${lines.join("\n")}\n`, { level: 9 }));
    written.push(name);
  }
  return written;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const out = process.argv[2] ?? join(import.meta.dirname, "..", "slos", "logs");
  for (const name of generateExampleLogs(out)) console.log(`wrote ${join(out, name)}`);
}
