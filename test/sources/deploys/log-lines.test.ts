/**
 * Deploys as log lines: the same lines in log files (the logs source) and
 * pushed to the real Loki 2.7.5 (the loki source). Both find the identical
 * deploys: times to the millisecond (and below), versions, in (start, end],
 * oldest first; deploy lines among ordinary lines of the same streams, JSON
 * and logfmt; a line a parser fails on, or without the version, is no deploy.
 * Past MAX_DEPLOYS_FOUND the newest are kept (on Loki, read in pages).
 */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  Deploy,
  DeploySpec,
  LogsSourceSpec,
  LokiSourceSpec,
} from "../../../src/definition/model.js";
import { exitCodeFor, SloError } from "../../../src/errors.js";
import { MAX_DEPLOYS_FOUND, MAX_LOKI_LINES_PER_QUERY } from "../../../src/limits.js";
import { createLogsSource } from "../../../src/sources/logs/index.js";
import { createLokiSource } from "../../../src/sources/loki.js";
import type { Source } from "../../../src/sources/types.js";
import { nanos, type RunningLoki, requireLoki, startLoki } from "../../support/loki.js";

const END = Date.parse("2026-11-24T12:00:00Z");
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const START = END - 30 * DAY;
const AT = { file: "slo.yaml", line: 1, col: 1 };

interface Line {
  /** ms, and ns below it */
  ms: number;
  ns?: number;
  text: string;
}

/** RFC 3339 with nanoseconds, as the file says the time Loki gets pushed. */
function rfc3339(ms: number, ns = 0): string {
  const iso = new Date(ms).toISOString(); // ...SSSZ
  return `${iso.slice(0, -1)}${String(ns).padStart(6, "0")}Z`;
}

const json = (ms: number, fields: Record<string, unknown>, ns = 0): Line => ({
  ms,
  ns,
  text: JSON.stringify({ t: rfc3339(ms, ns), ...fields }),
});

/** The JSON stream: ordinary lines every 7 minutes, and the deploys among them. */
function ctrlLines(): Line[] {
  const lines: Line[] = [];
  for (let t = START - DAY; t <= END + HOUR; t += 7 * MINUTE) {
    lines.push(json(t, { msg: "http-response", status: 200, version: "ignored" }));
  }
  lines.push(
    json(START - HOUR, { msg: "deploy-finished", version: "v0" }), // before the range
    json(START, { msg: "deploy-finished", version: "v1" }), // at its start: left out
    json(START + 2 * DAY + 17, { msg: "deploy-finished", version: "v2" }, 345_678),
    json(START + 9 * DAY, { msg: "deploy-finished" }), // no version: passed over
    json(START + 12 * DAY + 1, { msg: "deploy-finished", version: "v3", extra: { a: 1 } }),
    json(START + 20 * DAY, { msg: "deploy-started", version: "v4" }), // not a deploy line
    json(END, { msg: "deploy-finished", version: "v4" }), // at its end: in
    json(END + MINUTE, { msg: "deploy-finished", version: "v5" }), // after it
  );
  // a line | json fails on carries __error__: no deploy, on Loki as in a file
  lines.push({ ms: START + 5 * DAY, text: 'deploy-finished version="v9" msg="deploy-finished"' });
  return lines.sort((a, b) => a.ms - b.ms || (a.ns ?? 0) - (b.ns ?? 0));
}

/** The logfmt stream: ordinary lines every 11 minutes, and two deploys. */
function edgeLines(): Line[] {
  const logfmt = (ms: number, rest: string): Line => ({
    ms,
    text: `t=${new Date(ms).toISOString()} level=info ${rest}`,
  });
  const lines: Line[] = [];
  for (let t = START; t <= END; t += 11 * MINUTE)
    lines.push(logfmt(t + 3, "msg=http-response status=200"));
  lines.push(
    logfmt(START + 3 * DAY, 'msg=deploy-finished version="edge 1.4.0"'),
    logfmt(START + 25 * DAY + 999, "msg=deploy-finished version=edge-1.5.0 by=ci"),
  );
  return lines.sort((a, b) => a.ms - b.ms);
}

/** Many deploys, three at each second: more than one search keeps, over several Loki pages. */
const MANY = MAX_DEPLOYS_FOUND + 2_001;
function manyLines(): Line[] {
  return Array.from({ length: MANY }, (_, i) =>
    json(START + HOUR + Math.floor(i / 3) * 1000, { msg: "deploy-finished", version: `v${i}` }),
  );
}

const CTRL_DEPLOYS: Deploy[] = [
  { atMs: START + 2 * DAY + 17 + 0.345678, version: "v2", origin: "source" },
  { atMs: START + 12 * DAY + 1, version: "v3", origin: "source" },
  { atMs: END, version: "v4", origin: "source" },
];
const EDGE_DEPLOYS: Deploy[] = [
  { atMs: START + 3 * DAY, version: "edge 1.4.0", origin: "source" },
  { atMs: START + 25 * DAY + 999, version: "edge-1.5.0", origin: "source" },
];

function deploysSpec(selector: string, parser: string, version = "version"): DeploySpec {
  return {
    kind: "log-lines",
    source: "x",
    query: `${selector} | ${parser} | msg = "deploy-finished"`,
    version,
    at: AT,
  };
}

const binary = await requireLoki("deploys as log lines, in files and on Loki");

describe.skipIf(!binary)("deploys as log lines: a log file and Loki find the same", () => {
  let server: RunningLoki | undefined;
  let dir = "";
  let loki: Source;
  const files: Record<string, Source> = {};

  function logsSource(name: string, file: string, app: string): Source {
    const spec: LogsSourceSpec = {
      type: "logs",
      name,
      paths: [file],
      timestamp: "t",
      labels: { app },
      baseDir: dir,
    };
    return createLogsSource(spec, { workers: 0 });
  }

  beforeAll(async () => {
    server = await startLoki(binary!);
    dir = await mkdtemp(join(tmpdir(), "slo-deploys-lines-"));
    const streams = { ctrl: ctrlLines(), edge: edgeLines(), many: manyLines() };
    for (const [app, lines] of Object.entries(streams)) {
      await writeFile(join(dir, `${app}.log`), `${lines.map((l) => l.text).join("\n")}\n`);
      files[app] = logsSource(`${app}-logs`, `${app}.log`, app);
    }
    await server.push(
      Object.entries(streams).map(([app, lines]) => ({
        stream: { app },
        values: lines.map((l): [string, string] => [nanos(l.ms, l.ns ?? 0), l.text]),
      })),
    );
    const spec: LokiSourceSpec = {
      type: "loki",
      name: "loki",
      url: server.url,
      headers: {},
      timeoutMs: 20_000,
      retries: 1,
    };
    loki = createLokiSource(spec);
  });

  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const range = { startMs: START, endMs: END };

  it("JSON lines: the deploys in (start, end], oldest first, with their versions", async () => {
    const spec = deploysSpec('{app="ctrl"}', "json");
    const fromFile = await files.ctrl!.findDeploys!(spec, range);
    const fromLoki = await loki.findDeploys!(spec, range);
    expect(fromFile).toEqual(CTRL_DEPLOYS);
    expect(fromLoki).toEqual(CTRL_DEPLOYS);
  });

  it("logfmt lines: the same, versions with spaces included", async () => {
    const spec = deploysSpec('{app="edge"}', "logfmt");
    expect(await files.edge!.findDeploys!(spec, range)).toEqual(EDGE_DEPLOYS);
    expect(await loki.findDeploys!(spec, range)).toEqual(EDGE_DEPLOYS);
  });

  it("a narrower range: only the deploys in it", async () => {
    const spec = deploysSpec('{app="ctrl"}', "json");
    const narrow = { startMs: START + 2 * DAY + 17, endMs: START + 12 * DAY + 1 };
    const expected = CTRL_DEPLOYS.slice(0, 2);
    expect(await files.ctrl!.findDeploys!(spec, narrow)).toEqual(expected);
    expect(await loki.findDeploys!(spec, narrow)).toEqual(expected);
    const none = { startMs: START + 13 * DAY, endMs: START + 14 * DAY };
    expect(await files.ctrl!.findDeploys!(spec, none)).toEqual([]);
    expect(await loki.findDeploys!(spec, none)).toEqual([]);
  });

  it("deploy lines that all lack the version field: an error naming the field, exit 3", async () => {
    const spec = deploysSpec('{app="ctrl"}', "json", "build");
    for (const source of [files.ctrl!, loki]) {
      const error = await source.findDeploys!(spec, range).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SloError);
      expect((error as SloError).message).toContain(
        "4 lines match the query, but none has a field or label 'build'",
      );
      expect(exitCodeFor(error)).toBe(3);
    }
  });

  it(`more than ${MAX_DEPLOYS_FOUND} deploys: the newest kept, the same on both`, async () => {
    const spec = deploysSpec('{app="many"}', "json");
    const fromFile = await files.many!.findDeploys!(spec, range);
    const fromLoki = await loki.findDeploys!(spec, range);
    // more than one page of Loki's answers: the pages meet inside a second's three deploys
    expect(MAX_DEPLOYS_FOUND).toBeGreaterThan(MAX_LOKI_LINES_PER_QUERY);
    expect(fromFile).toHaveLength(MAX_DEPLOYS_FOUND);
    const versions = fromFile.map((d) => Number(d.version.slice(1))).sort((a, b) => a - b);
    expect(versions[0]).toBe(MANY - MAX_DEPLOYS_FOUND);
    expect(versions.at(-1)).toBe(MANY - 1);
    expect(fromLoki).toEqual(fromFile);
  });
});
