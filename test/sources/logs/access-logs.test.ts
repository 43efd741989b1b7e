/**
 * Access logs as a logs source: text lines read with `| pattern` and
 * `| regexp`, their time taken from the line with timestamp { pattern,
 * format: clf }. test/fixtures/logs/access-combined.txt is Apache's
 * combined format, by line (T = 2026-11-24T12:00:00Z):
 *
 *   1  11:55:00        200   at the 5m start: not in 5m
 *   2  11:56:00        503   bad
 *   3  13:00:00 +0100  500   = 12:00Z, at the end: in; bad
 *   4  12:00:01        200   after the end: in no window
 *   5  not an access log     no timestamp (the time pattern finds no " [")
 *   6  a JSON line           no timestamp (likewise)
 *   7  11:30:00        204   in 1h and 1d
 *   8  23/Nov 12:30:00 502   in 1d only; bad
 *   9  11:59:59        400
 *  10  (blank)
 *  11  11:58:00        408, request "-" (a timeout): status reads '"-"', not a number: good
 */

import { describe, expect, it } from "vitest";
import { readLogTimestamp, type TimestampOption } from "../../../src/definition/log-timestamp.js";
import type { LogsSourceSpec } from "../../../src/definition/model.js";
import { countOne, latency, logsSpec, pairs, ratio, request } from "./helpers.js";

function accessSpec(
  option: TimestampOption,
  overrides: Partial<LogsSourceSpec> = {},
): LogsSourceSpec {
  const time = readLogTimestamp(option);
  if (time.problems.length > 0) throw new Error(JSON.stringify(time.problems));
  return logsSpec(["access-combined.txt"], { ...time.value, ...overrides });
}

const CLF_TIME = { pattern: "<_> [<time>] <_>", format: "clf" };
const COMBINED =
  '| pattern `<ip> <_> <user> [<_>] "<method> <path> <_>" <status> <size> "<referer>" "<agent>"`';

describe("access logs: pattern, regexp and a time from the line", () => {
  it("counts requests and 5xx with | pattern, the time read as clf", async () => {
    const result = await countOne(
      accessSpec(CLF_TIME),
      request(ratio({ total: COMBINED, bad: `${COMBINED} | status >= 500` })),
    );
    expect(pairs(result)).toEqual({ "5m": [2, 4], "1h": [4, 6], "1d": [4, 7] });
    expect(result.diagnostics.malformed?.count ?? 0).toBe(0);
    expect(result.diagnostics.noTimestamp?.count).toBe(2);
    expect(result.diagnostics.noTimestamp?.samples.map((s) => s.line)).toEqual([5, 6]);
  });

  it("counts the same with | regexp, and the time captured by a regexp", async () => {
    const total = '| regexp `"(?P<method>\\S+) (?P<path>\\S+) [^"]*" (?P<status>\\d{3})`';
    const result = await countOne(
      accessSpec({ regexp: "\\[(?P<time>[^\\]]+)\\]", format: "02/Jan/2006:15:04:05 -0700" }),
      request(ratio({ total, bad: `${total} | status >= 500` })),
    );
    // line 11 ("-" as the request) does not match the regexp: no status, not bad, still total
    expect(pairs(result)).toEqual({ "5m": [2, 4], "1h": [4, 6], "1d": [4, 7] });
  });

  it("reads string filters on captures and a stream label beside them", async () => {
    const result = await countOne(
      accessSpec(CLF_TIME),
      request(
        ratio({
          total: `{app="ctrl"} ${COMBINED} | path =~ "/api/.*"`,
          good: `${COMBINED} | status < 500`,
        }),
      ),
    );
    expect(pairs(result)).toEqual({ "5m": [0, 2], "1h": [0, 2], "1d": [0, 3] });
  });

  it("names a capture that has a stream label's name name_extracted, as Loki does", async () => {
    const query = '{app="ctrl"} | pattern "<app> <_>"';
    const result = await countOne(
      accessSpec(CLF_TIME),
      request(
        ratio({ total: query, bad: `${query} | app_extracted = "192.0.2.2" or app != "ctrl"` }),
      ),
    );
    expect(pairs(result)["1d"]).toEqual([6, 7]);
  });

  it("takes a latency field and a breakdown from the query's captures", async () => {
    const result = await countOne(
      accessSpec(CLF_TIME),
      request(latency(COMBINED, "size", 100, "ms"), { breakdown: { by: "path", limit: 10 } }),
    );
    // size stands in for a duration: 1043 (line 1) is over; "-" (line 7) and none (line 11) are no number
    expect(pairs(result)["1d"]).toEqual([4, 5]);
    expect(result.breakdown).toEqual([{ value: "/index.html", count: 1 }]);
    expect(result.diagnostics.missingField).toBe(2);
  });

  it("counts the same in worker threads", async () => {
    const req = request(ratio({ total: COMBINED, bad: `${COMBINED} | status >= 500` }), {
      breakdown: { by: "path", limit: 10 },
    });
    const here = await countOne(accessSpec(CLF_TIME), req, { workers: 0 });
    const threads = await countOne(accessSpec(CLF_TIME), req, { workers: 2, parallelMinBytes: 0 });
    expect(threads.windows).toEqual(here.windows);
    expect(threads.breakdown).toEqual(here.breakdown);
    expect(threads.diagnostics.noTimestamp).toEqual(here.diagnostics.noTimestamp);
  });

  it("still counts a JSON line of a source whose time is a JSON field, and calls a text line malformed there", async () => {
    const result = await countOne(
      logsSpec(["access-combined.txt"]),
      request(ratio({ total: "| json", bad: "| json | status >= 500" })),
    );
    expect(pairs(result)["5m"]).toEqual([0, 1]);
    expect(result.diagnostics.malformed?.count).toBe(9);
  });
});
