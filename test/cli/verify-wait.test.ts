/**
 * `slo verify --wait`: an inconclusive verdict is looked at again every
 * interval, with a later "now" each time, until a verdict or until --for
 * runs out; never longer. The clock and the pause are the test's, so the
 * loop runs at once; the logs, the sources and the engine are the real ones.
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_VERIFY } from "../../src/defaults.js";
import { loadSetOrThrow } from "../../src/pipeline/load-set.js";
import { runVerify } from "../../src/pipeline/verify.js";
import type { VerifyOptions } from "../../src/pipeline/verify-types.js";

const DEPLOY_MS = Date.parse("2026-11-24T10:00:00Z");
const MINUTE = 60_000;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-verify-wait-"));
  const lines: string[] = [];
  // 100 events a minute from two hours before the deploy to an hour after,
  // 0.1% bad before; after it, 10% bad from 10:20 on (none between 10:00 and 10:20)
  for (let m = -120; m < 60; m++) {
    for (let k = 0; k < 100; k++) {
      const t = DEPLOY_MS + m * MINUTE + k * 600;
      const bad = m < 0 ? (m * 100 + k) % 1000 === 0 : m >= 20 && k % 10 === 0;
      lines.push(JSON.stringify({ t: new Date(t).toISOString(), status: bad ? 500 : 200 }));
    }
  }
  await writeFile(join(dir, "app.ndjson"), `${lines.join("\n")}\n`);
  await writeFile(
    join(dir, "slo.yaml"),
    [
      "service: quiet",
      "sources:",
      "  logs: { type: logs, paths: [app.ndjson], timestamp: t }",
      "slos:",
      "  - name: availability",
      "    objective: 99%",
      "    window: 7d",
      "    alerting: { minEvents: 500 }",
      "    indicator:",
      "      ratio: { source: logs, total: '| json', bad: '| json | status >= 500' }",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(start: string, forMs: number) {
  let now = Date.parse(start);
  const looks: number[] = [];
  const slept: number[] = [];
  const verify: VerifyOptions = {
    ...DEFAULT_VERIFY,
    atMs: now,
    deploy: { version: "v2", atMs: DEPLOY_MS, origin: "command-line" },
    forMs,
    wait: {
      intervalMs: 2 * MINUTE,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
      onInconclusive: (_report, remainingMs) => looks.push(remainingMs),
    },
  };
  return { verify, looks, slept };
}

describe("slo verify --wait", () => {
  it("looks again every interval until the after window holds enough events", async () => {
    const set = await loadSetOrThrow([join(dir, "slo.yaml")]);
    // at 10:02 the after window holds 200 events, under minEvents (500): inconclusive;
    // from 10:06 on it holds enough, and nothing is wrong before 10:20: pass
    const { verify, looks, slept } = options("2026-11-24T10:02:00Z", 30 * MINUTE);
    const outcome = await runVerify(set, verify);
    expect(outcome.verdict).toBe("pass");
    expect(outcome.exitCode).toBe(0);
    expect(slept).toEqual([2 * MINUTE, 2 * MINUTE]);
    expect(looks).toEqual([28 * MINUTE, 26 * MINUTE]);
    const after = outcome.report.slos[0]!.verification!.comparisons[0]!.afterWindow;
    expect(after.end).toBe("2026-11-24T10:06:00.000Z");
    expect(after.events.total).toBe(600);
  });

  it("stops when --for runs out, inconclusive, and never looks past it", async () => {
    const set = await loadSetOrThrow([join(dir, "slo.yaml")]);
    const { verify, slept } = options("2026-11-24T10:01:00Z", 3 * MINUTE);
    const outcome = await runVerify(set, verify);
    expect(outcome.verdict).toBe("inconclusive");
    expect(slept).toEqual([2 * MINUTE]);
    const after = outcome.report.slos[0]!.verification!.comparisons[0]!.afterWindow;
    expect(after.end).toBe("2026-11-24T10:03:00.000Z");
  });

  it("finds a regression that starts while it waits", async () => {
    const set = await loadSetOrThrow([join(dir, "slo.yaml")]);
    const { verify } = options("2026-11-24T10:02:00Z", 60 * MINUTE);
    verify.wait!.intervalMs = 10 * MINUTE;
    verify.forMs = 60 * MINUTE;
    // pass at 10:12 stops the wait: a verdict is a verdict
    const outcome = await runVerify(set, verify);
    expect(outcome.verdict).toBe("pass");
    // judged at 10:50, after the errors began, the same deploy regressed
    const later = await runVerify(set, {
      ...verify,
      atMs: Date.parse("2026-11-24T10:50:00Z"),
      wait: undefined,
    });
    expect(later.verdict).toBe("regressed");
    expect(later.exitCode).toBe(1);
  });
});
