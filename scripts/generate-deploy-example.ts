/**
 * Generates examples/deploys/logs/shop.ndjson.gz: a "shop" service's logs
 * over the 7 days up to the example's instant, with four deploys logged as
 * the deploy tool logs them ("deploy-finished", the version). v1.4.0 slows
 * search down for a day until v1.4.1 fixes it; v1.5.0, 40 minutes before
 * the end, makes checkout fail 8% of the time (0.1% before). Deterministic:
 * a seeded PRNG and gzip without a timestamp, so a test can prove the
 * committed file is what this script makes.
 *
 *   npx tsx scripts/generate-deploy-example.ts [outDir]
 */

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { mulberry32 } from "./mulberry32.js";

/** The instant the README evaluates this example at. */
export const DEPLOY_EXAMPLE_AT = "2026-11-24T12:00:00Z";
const END_MS = Date.parse(DEPLOY_EXAMPLE_AT);
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const DEPLOYS = [
  { version: "v1.3.2", atMs: END_MS - 6 * DAY + 150 * MINUTE },
  { version: "v1.4.0", atMs: END_MS - 4 * DAY - 95 * MINUTE },
  { version: "v1.4.1", atMs: END_MS - 3 * DAY - 80 * MINUTE },
  { version: "v1.5.0", atMs: END_MS - 40 * MINUTE },
] as const;

const after = (version: string, ms: number) =>
  ms > DEPLOYS.find((d) => d.version === version)!.atMs;
const before = (version: string, ms: number) => !after(version, ms);

function checkoutLine(ms: number, random: () => number): Record<string, unknown> {
  const failing = after("v1.5.0", ms) ? 0.08 : 0.001;
  const status = random() < failing ? 502 : random() < 0.02 ? 409 : 200;
  return { msg: "checkout", status, duration_ms: Math.round(80 + random() * 120) };
}

function searchLine(ms: number, random: () => number): Record<string, unknown> {
  const slow = after("v1.4.0", ms) && before("v1.4.1", ms) ? 0.12 : 0.002;
  const duration = random() < slow ? 400 + random() * 600 : 20 + random() * 150;
  return { msg: "search", status: 200, duration_ms: Math.round(duration) };
}

export function generateDeployExample(outDir: string): string {
  const random = mulberry32(20261124);
  const lines: string[] = [];
  const pending = [...DEPLOYS];
  // 6 checkouts and 6 searches a minute: enough for a verdict within the hour
  for (let ms = END_MS - 7 * DAY + 5_000; ms <= END_MS; ms += 5_000) {
    while (pending.length > 0 && pending[0]!.atMs <= ms) {
      const d = pending.shift()!;
      const t = new Date(d.atMs).toISOString();
      lines.push(JSON.stringify({ t, msg: "deploy-finished", version: d.version }));
    }
    const fields = (ms / 5_000) % 2 === 0 ? checkoutLine(ms, random) : searchLine(ms, random);
    lines.push(JSON.stringify({ t: new Date(ms).toISOString(), ...fields }));
  }
  mkdirSync(outDir, { recursive: true });
  const name = "shop.ndjson.gz";
  writeFileSync(join(outDir, name), gzipSync(`${lines.join("\n")}\n`, { level: 9 }));
  return name;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  const out = process.argv[2] ?? join(import.meta.dirname, "..", "examples", "deploys", "logs");
  console.log(`wrote ${join(out, generateDeployExample(out))}`);
}
