/**
 * The logs source against hand-counted fixtures. test/fixtures/logs/ratio.ndjson,
 * by line (T = 2026-11-24T12:00:00Z; "total" = msg http-response, action CheckBalance):
 *
 *   1  11:55:00Z          total, 200, 120       at the 5m start: not in 5m
 *   2  11:55:00.000000001 total, 500, 400       1 ns after the 5m start: in 5m
 *   3  12:00:00Z          total, 503, "350ms"   at the end: in
 *   4  12:00:00.000000001 total, 500            1 ns after the end: in no window
 *   5  23:59:00+13:00     total, 200, 80        = 10:59Z: in 1d only
 *   6  epoch s 11:59:00   total, 200, 90
 *   7  epoch ms 11:59:50  total, 502, 310.5
 *   8  "epoch ms" 11:50   total, "500", no duration
 *   9  not JSON           malformed
 *  10  [1,2,3]            malformed (not an object)
 *  11  no t               no timestamp
 *  12  t "yesterday"      no timestamp
 *  13  11:58              action GetStatement: not total
 *  14  (blank)
 *  15  11:57              msg other: not total
 *  16  11:56:00.5         total, status "abc" (not a number), no duration
 *  17  T-1d exactly       total, 500: at the 1d start, not in 1d
 *  18  T-1d + 1ms         total, 500, 1000
 *  19  11:15:00           total, 200, 299.9
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SloError } from "../../../src/errors.js";
import {
  countAll,
  countError,
  countOne,
  DAY,
  HOUR,
  latency,
  logsSpec,
  MINUTE,
  pairs,
  ratio,
  request,
  T,
} from "./helpers.js";

const TOTAL = '| json | msg = "http-response" | action = "CheckBalance"';
const BAD = `${TOTAL} | status >= 500`;
const spec = logsSpec(["ratio.ndjson"]);

describe("logs source: ratio on the hand-counted fixture", () => {
  it("counts good and total per window, (start, end] exactly", async () => {
    const result = await countOne(spec, request(ratio({ total: TOTAL, bad: BAD })));
    expect(pairs(result)).toEqual({ "5m": [2, 5], "1h": [4, 8], "1d": [5, 10] });
  });

  it("reports lines, malformed lines and lines without a timestamp with samples", async () => {
    const { diagnostics } = await countOne(spec, request(ratio({ total: TOTAL, bad: BAD })));
    expect(diagnostics.lines).toBe(19);
    expect(diagnostics.malformed).toEqual({
      count: 2,
      samples: [
        { file: "ratio.ndjson", line: 9, text: "{oops this is not json" },
        { file: "ratio.ndjson", line: 10, text: "[1,2,3]" },
      ],
    });
    expect(diagnostics.noTimestamp?.count).toBe(2);
    expect(diagnostics.noTimestamp?.samples.map((s) => s.line)).toEqual([11, 12]);
    expect(diagnostics.missingField).toBeUndefined();
  });

  it("with a good query, good = total events matching it (status 'abc' is then bad)", async () => {
    const result = await countOne(
      spec,
      request(ratio({ total: TOTAL, good: `${TOTAL} | status < 500` })),
    );
    expect(pairs(result)).toEqual({ "5m": [1, 5], "1h": [3, 8], "1d": [4, 10] });
  });

  it("counts bad only among total events", async () => {
    // bad matches lines 13 and 15 too, which are not total events
    const result = await countOne(
      spec,
      request(ratio({ total: TOTAL, bad: "| json | status >= 500" })),
    );
    expect(pairs(result)).toEqual({ "5m": [2, 5], "1h": [4, 8], "1d": [5, 10] });
  });

  it("counts series buckets (start + i*step, start + (i+1)*step]", async () => {
    const result = await countOne(
      spec,
      request(ratio({ total: TOTAL, bad: BAD }), {
        series: [{ key: "hour", startMs: T - HOUR, stepMs: 15 * MINUTE, count: 4 }],
      }),
    );
    expect(result.series.hour).toEqual([
      { good: 1, total: 1 },
      { good: 0, total: 0 },
      { good: 0, total: 0 },
      { good: 3, total: 7 },
    ]);
  });

  it("breaks bad events of the longest window down by a field, ties by value", async () => {
    const result = await countOne(
      spec,
      request(ratio({ total: TOTAL, bad: BAD }), { breakdown: { by: "status", limit: 10 } }),
    );
    expect(result.breakdown).toEqual([
      { value: "500", count: 3 },
      { value: "502", count: 1 },
      { value: "503", count: 1 },
    ]);
    const top1 = await countOne(
      spec,
      request(ratio({ total: TOTAL, bad: BAD }), { breakdown: { by: "status", limit: 1 } }),
    );
    expect(top1.breakdown).toEqual([{ value: "500", count: 3 }]);
  });

  it("groups events without the breakdown field in the none bucket, after the values", async () => {
    const result = await countOne(
      spec,
      request(ratio({ total: TOTAL, bad: BAD }), { breakdown: { by: "duration", limit: 10 } }),
    );
    expect(result.breakdown).toEqual([
      { value: "1000", count: 1 },
      { value: "310.5", count: 1 },
      { value: "350ms", count: 1 },
      { value: "400", count: 1 },
      { bucket: "none", count: 1 },
    ]);
  });

  it("breaks down by a stream label too", async () => {
    const result = await countOne(
      spec,
      request(ratio({ total: TOTAL, bad: BAD }), { breakdown: { by: "app", limit: 10 } }),
    );
    expect(result.breakdown).toEqual([{ value: "ctrl", count: 5 }]);
  });

  it("answers every request from one read, in order, each with its own counts", async () => {
    const results = await countAll(spec, [
      request(ratio({ total: TOTAL, bad: BAD })),
      request(ratio({ total: '| json | action = "GetStatement"', bad: "| json | status >= 500" })),
      request(ratio({ total: TOTAL, bad: "| json | status >= 500 |" })),
      request(latency(TOTAL, "duration", 300)),
    ]);
    expect(pairs(results[0] as never)).toEqual({ "5m": [2, 5], "1h": [4, 8], "1d": [5, 10] });
    expect(pairs(results[1] as never)).toEqual({ "5m": [0, 1], "1h": [0, 1], "1d": [0, 1] });
    expect(results[2]).toBeInstanceOf(SloError);
    expect((results[2] as SloError).code).toBe("spec");
    expect(pairs(results[3] as never)).toEqual({ "5m": [1, 4], "1h": [3, 6], "1d": [4, 8] });
  });
});

describe("logs source: latency", () => {
  it("counts events with field <= threshold as good; numbers in unit, durations converted", async () => {
    const result = await countOne(spec, request(latency(TOTAL, "duration", 300)));
    expect(pairs(result)).toEqual({ "5m": [1, 4], "1h": [3, 6], "1d": [4, 8] });
    // lines 8 and 16 have no duration; 4 is outside every window
    expect(result.diagnostics.missingField).toBe(2);
  });

  it("reads the threshold in the unit given", async () => {
    // the same threshold in seconds: numbers are then seconds, so 120 > 0.3
    const seconds = await countOne(spec, request(latency(TOTAL, "duration", 0.3, "s")));
    // only "350ms" is converted (0.35 s > 0.3 s); every number is > 0.3
    expect(pairs(seconds)).toEqual({ "5m": [0, 4], "1h": [0, 6], "1d": [0, 8] });
  });

  it("compares with the op given (any number, not only latency): line 7's 310.5 is the bound", async () => {
    const expected = {
      lt: { "5m": [1, 4], "1h": [3, 6], "1d": [4, 8] },
      lte: { "5m": [2, 4], "1h": [4, 6], "1d": [5, 8] },
      gt: { "5m": [2, 4], "1h": [2, 6], "1d": [3, 8] },
      gte: { "5m": [3, 4], "1h": [3, 6], "1d": [4, 8] },
    } as const;
    for (const [op, counts] of Object.entries(expected)) {
      const indicator = { ...latency(TOTAL, "duration", 310.5), op: op as keyof typeof expected };
      const result = await countOne(spec, request(indicator));
      expect(pairs(result), op).toEqual(counts);
    }
  });

  it("puts slow events in the breakdown", async () => {
    const result = await countOne(
      spec,
      request(latency(TOTAL, "duration", 300), { breakdown: { by: "status", limit: 5 } }),
    );
    expect(result.breakdown).toEqual([
      { value: "500", count: 2 },
      { value: "502", count: 1 },
      { value: "503", count: 1 },
    ]);
  });

  it("is a spec error without events or field", async () => {
    const error = await countError(
      spec,
      request({ ...latency(TOTAL, "duration", 300), field: undefined }),
    );
    expect(error.code).toBe("spec");
    expect(error.message).toMatch(/needs events/);
  });
});

describe("logs source: stream selector", () => {
  it("matches the source's labels; a selector that does not match counts nothing", async () => {
    const yes = await countOne(
      spec,
      request(ratio({ total: `{app="ctrl"} ${TOTAL}`, bad: `{app=~"c.*"} ${BAD}` })),
    );
    expect(pairs(yes)).toEqual({ "5m": [2, 5], "1h": [4, 8], "1d": [5, 10] });
    const no = await countOne(spec, request(ratio({ total: `{app="other"} ${TOTAL}`, bad: BAD })));
    expect(pairs(no)).toEqual({ "5m": [0, 0], "1h": [0, 0], "1d": [0, 0] });
  });

  it("a query error names the SLO and the query role, at the SLO's position", async () => {
    const error = await countError(
      spec,
      request(ratio({ total: TOTAL, bad: `${TOTAL} | line_format "x"` })),
    );
    expect(error.code).toBe("spec");
    expect(error.message).toMatch(
      /SLO 'test': bad query: LogQL: unsupported LogQL stage 'line_format'/,
    );
    expect(error.line).toBe(3);
  });
});

describe("logs source: windows", () => {
  it("handles windows that do not end at the same instant", async () => {
    const result = await countOne(
      spec,
      request(ratio({ total: TOTAL, bad: BAD }), {
        windows: [
          { key: "early", startMs: T - DAY, endMs: T - HOUR },
          { key: "late", startMs: T - 10 * MINUTE, endMs: T - 4 * MINUTE },
        ],
      }),
    );
    // early (T-1d, 11:00]: lines 5 (good) and 18 (bad);
    // late (11:50, 11:56]: 1 (good) and 2 (bad); 8 is at 11:50 exactly, 16 at 11:56:00.5
    expect(pairs(result)).toEqual({ early: [1, 2], late: [1, 2] });
  });
});

describe("logs source: logfmt lines", () => {
  function logIn(lines: string[]): string {
    const dir = mkdtempSync(join(tmpdir(), "slo-logfmt-"));
    writeFileSync(join(dir, "app.log"), `${lines.join("\n")}\n`);
    return dir;
  }
  const at = (msAgo: number) => new Date(T - msAgo).toISOString();

  it("counts a logfmt log with | logfmt: the timestamp field is read from the line", async () => {
    const dir = logIn([
      `ts=${at(60_000)} level=error status=503 path=/pay`,
      `ts=${at(120_000)} level=info status=200 path=/pay`,
      `ts=${at(180_000)} level=info status=abc path=/pay`,
      `ts=${at(240_000)} msg="no status here"`,
      `ts=${at(2 * HOUR)} level=error status=500 path=/old`,
      "a line with no timestamp",
    ]);
    const result = await countOne(
      logsSpec(["app.log"], { baseDir: dir, timestamp: "ts" }),
      request(ratio({ total: '| logfmt | path =~ "/.*"', bad: "| logfmt | status >= 500" }), {
        breakdown: { by: "path", limit: 10 },
      }),
    );
    // the status=abc line is total, and not bad: its LabelFilterErr drops it from bad
    expect(pairs(result)).toEqual({ "5m": [2, 3], "1h": [2, 3], "1d": [2, 4] });
    expect(result.breakdown).toEqual([
      { value: "/old", count: 1 },
      { value: "/pay", count: 1 },
    ]);
    expect(result.diagnostics.malformed?.count).toBe(1);
  });

  it("in a JSON log, a logfmt line with a timestamp is a JSONParserErr for | json, not malformed", async () => {
    const dir = logIn([
      JSON.stringify({ t: at(60_000), status: 500 }),
      `t=${at(60_000)} status=500`,
      "{oops",
    ]);
    const spec = logsSpec(["app.log"], { baseDir: dir });
    const [json, errors] = await countAll(spec, [
      request(ratio({ total: "| json", bad: "| json | status >= 500" })),
      request(ratio({ total: '| json | __error__ != ""', bad: '| json | __error__ != ""' })),
    ]);
    expect(pairs(json as never)).toMatchObject({ "5m": [0, 1] });
    expect(pairs(errors as never)).toMatchObject({ "5m": [0, 1] });
    expect(
      (json as { diagnostics: { malformed?: { count: number } } }).diagnostics.malformed?.count,
    ).toBe(1);
  });
});

describe("logs source: bad and good after a total that reads __error__", () => {
  it("run the stages they share with total again: total may pass a line with an error they must see", async () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-shared-errors-"));
    const t = new Date(T - 60_000).toISOString();
    const lines = [
      { t, status: "abc", level: "x" },
      { t, status: 503, level: "x" },
      { t, status: 503, level: "y" },
    ].map((line) => JSON.stringify(line));
    writeFileSync(join(dir, "app.log"), `${lines.join("\n")}\n`);
    const total = '| json | status >= 500 | __error__ =~ ".*"';
    const result = await countOne(
      logsSpec(["app.log"], { baseDir: dir }),
      request(ratio({ total, bad: `${total.split(" | __error__")[0]} | level = "x"` })),
    );
    // the "abc" line is a total event (total reads __error__) but carries LabelFilterErr into bad
    expect(pairs(result)["5m"]).toEqual([2, 3]);
  });
});
