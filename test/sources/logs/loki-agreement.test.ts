/**
 * The logs source counts what the real Loki 2.7.5 returns for the same
 * lines and the same LogQL: numbers kept as written, __error__, logfmt,
 * label filters side by side. Each line is pushed to Loki and written to a
 * log file (with its timestamp in the line, `t`), and each query is counted
 * by both over the same hour.
 *
 * A query that reads __error__ is compared with Loki's log query (the
 * lines it returns: Loki's metric query fails whole while an errored line
 * comes out). One that does not is compared with the same log query with
 * `| __error__=""` at its end, which is how slo counts it.
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nanos, type RunningLoki, requireLoki, startLoki } from "../../support/loki.js";
import { countOne, HOUR, logsSpec, ratio, request, T, window } from "./helpers.js";
import { logsSourceCounts, lokiLogQueryCount, READS_ERRORS, storeLines } from "./loki-counts.js";

const binary = await requireLoki("logs source against the real Loki");
let loki: RunningLoki;

beforeAll(async () => {
  if (binary) loki = await startLoki(binary);
}, 60_000);

afterAll(async () => {
  await loki?.stop();
});

const HOUR_WINDOW = window("1h", HOUR, T);

/** The lines, one second apart before T, in Loki under {app} and in a log file. */
async function store(app: string, lines: string[]): Promise<string> {
  return storeLines(
    loki,
    { app },
    lines.map((line, i) => [T - (lines.length - i) * 1000, line]),
  );
}

/** Each query's count on Loki and on the log file, side by side. */
async function bothCounts(
  app: string,
  dir: string,
  pipelines: string[],
): Promise<{ query: string; loki: number; slo: number | string }[]> {
  const queries = pipelines.map((pipeline) => `{app="${app}"} ${pipeline}`);
  const fromSlo = await logsSourceCounts(dir, { app }, queries, [HOUR_WINDOW]);
  const out = [];
  for (const [i, query] of queries.entries()) {
    const asLoki = READS_ERRORS.test(query) ? query : `${query} | __error__=""`;
    const slo = fromSlo[i]!;
    out.push({
      query,
      loki: await lokiLogQueryCount(loki, asLoki, HOUR_WINDOW),
      slo: typeof slo === "string" ? slo : slo["1h"]!,
    });
  }
  return out;
}

function agree(counts: { query: string; loki: number; slo: number | string }[]): void {
  expect(counts.map(({ query, slo }) => ({ query, count: slo }))).toEqual(
    counts.map(({ query, loki }) => ({ query, count: loki })),
  );
}

const at = (s: number) => new Date(T - HOUR / 2 + s * 1000).toISOString();

describe.skipIf(!binary)("the logs source and the real Loki count the same lines", () => {
  it("numbers keep their text: string filters see the field as written", async () => {
    const lines = [
      '{"id":12345678901234567890,"v":1.0,"code":5e2}',
      '{"id":12345678901234567891,"v":1,"code":500}',
      '{"id":12345678901234567890,"v":-0,"code":500.0}',
      '{"id":"12345678901234567890","v":"1.0","code":"5e2"}',
      '{"v":1E2,"code":0.5e3}',
    ].map((line, i) => line.replace("{", `{"t":"${at(i)}",`));
    const dir = await store("numbers", lines);
    const counts = await bothCounts("numbers", dir, [
      '| json | id = "12345678901234567890"',
      '| json | id = "12345678901234567891"',
      '| json | id =~ "1234567890123456789.*"',
      '| json | v = "1.0"',
      '| json | v = "1"',
      '| json | v = "-0"',
      '| json | v = "1E2"',
      '| json | code = "5e2"',
      '| json | code = "500"',
      "| json | code == 500",
      "| json | code >= 500 and v < 2",
      "| json | id > 12345678901234567000",
    ]);
    agree(counts);
    expect(counts[0]).toMatchObject({ slo: 3 });
    expect(counts[3]).toMatchObject({ slo: 2 });

    // a breakdown by id groups as Loki's sum by (id) does
    const query = '{app="numbers"} | json';
    const params = new URLSearchParams({
      query: `sum by (id) (count_over_time(${query} | __error__="" [1h]))`,
      time: nanos(T, 1),
    });
    const response = await fetch(`${loki.url}/loki/api/v1/query?${params}`);
    const series = (
      (await response.json()) as {
        data: { result: { metric: { id?: string }; value: string[] }[] };
      }
    ).data.result;
    const fromLoki = series
      .map(({ metric, value }) => [metric.id ?? "(no id)", Number(value[1])])
      .sort();
    const { breakdown } = await countOne(
      logsSpec(["app.log"], { baseDir: dir, labels: { app: "numbers" } }),
      request(ratio({ total: query, bad: query }), {
        windows: [HOUR_WINDOW],
        breakdown: { by: "id", limit: 10 },
      }),
    );
    const fromSlo = breakdown
      .map((row) => ["value" in row ? row.value : "(no id)", row.count])
      .sort();
    expect(fromSlo).toEqual(fromLoki);
    expect(fromSlo).toHaveLength(3);
  });

  it("a number past a double is a LabelFilterErr for a numeric filter, its text for a string one", async () => {
    const dir = await store("big", [`{"t":"${at(0)}","big":1e400}`, `{"t":"${at(1)}","big":2}`]);
    agree(
      await bothCounts("big", dir, [
        "| json | big > 1",
        '| json | big > 1 | __error__ = "LabelFilterErr"',
        '| json | big > 1 | __error_details__ = "strconv.ParseFloat: parsing \\"1e400\\": value out of range"',
        '| json | big = "1e400"',
      ]),
    );
  });

  it("__error__ and __error_details__ mark what Loki marks", async () => {
    const lines = [
      '{"status":503}',
      '{"status":"503"}',
      '{"id":"missing"}',
      '{"status":"abc","level":"info"}',
      '{"status":200}',
      '{"status":500.5}',
      '{"status":true}',
      '{"status":null}',
      '{"status":""}',
      '{"status":"300ms"}',
    ].map((line, i) => line.replace("{", `{"t":"${at(i)}",`));
    lines.push(`t=${at(20)} not json id=plain`);
    const dir = await store("errors", lines);
    const counts = await bothCounts("errors", dir, [
      "| json",
      "| json | status >= 500",
      "| json | status == 503",
      '| json | status = "503"',
      '| json | status >= 500 | __error__ = ""',
      '| json | status >= 500 | __error__ != ""',
      '| json | status >= 500 | __error__ = "LabelFilterErr"',
      '| json | status >= 500 | status < 0 | __error__ = "LabelFilterErr"',
      '| json | __error__ = "JSONParserErr"',
      '| json | __error__ = ""',
      '| json | __error_details__ = "expecting json object(6), but it is not"',
      // Loki 2.7.5 labels returned lines with __error_details__, but its filters read it as ""
      '| json | status >= 500 | __error_details__ =~ ".*parsing \\"abc\\": invalid syntax"',
      '| json | status >= 500 | __error_details__ = ""',
      '| json | status >= 500 or level = "info"',
      '| json | status >= 500 or level = "info" | __error__ != ""',
      '| json | level = "x" and status >= 500 | __error__ != ""',
      // Loki's and runs its right side even when its left fails: the or keeps the line on its error
      '| json | level = "x" and status >= 500 or level = "info"',
      '| json | level = "x" and status >= 500 or level = "info" | __error__ != ""',
      "| json | status > 250ms",
      '| json | status > 250ms | __error__ = "LabelFilterErr"',
      '| json | status > 250ms | __error_details__ = "time: missing unit in duration \\"503\\""',
      '| json | status > 250ms | __error_details__ = "time: invalid duration \\"abc\\""',
      '| __error__ = ""',
      '| json | status >= 500 or status = "" | __error__ = ""',
    ]);
    agree(counts);
    // the non-JSON line is counted where a query asks for errors
    expect(counts[8]).toMatchObject({ slo: 1 });
  });

  it("logfmt lines count with | logfmt; where Loki's decoder stops, LogfmtParserErr", async () => {
    const lines = [
      "status= level=error",
      "status level=warn",
      "status=503 level=error duration=300ms",
      'k="unterminated status=500',
      "a=1 =b status=502",
      'a="x\\qy" status=501',
      "a=b=c status=504",
      "level=info level=debug dup=1",
      'msg="hello world" status=200 duration=1.5s user-agent=curl dot.key=v',
      "status=abc duration=50",
      '{"status":500}',
    ].map((line, i) => `t=${at(i)} ${line}`);
    const dir = await store("logfmt", lines);
    agree(
      await bothCounts("logfmt", dir, [
        "| logfmt",
        "| logfmt | status >= 500",
        '| logfmt | status >= 500 | __error__ != ""',
        '| logfmt | status >= 500 | __error__ = "LabelFilterErr"',
        '| logfmt | __error__ = "LogfmtParserErr"',
        "| logfmt | __error_details__ = \"logfmt syntax error at pos 33 : unexpected '='\"",
        '| logfmt | __error_details__ =~ ".*unterminated quoted value"',
        '| logfmt | __error_details__ =~ ".*invalid quoted value"',
        '| logfmt | status = ""',
        '| logfmt | level = "debug"',
        "| logfmt | duration > 250ms",
        '| logfmt | user_agent = "curl" dot_key = "v"',
        '| logfmt | msg = "hello world"',
        '| json | __error__ = "JSONParserErr"',
      ]),
    );
  });

  it("label filters side by side are and, grouped as Loki groups them", async () => {
    const lines = [
      '{"a":"1","b":"2"}',
      '{"a":"1","b":"3"}',
      '{"a":"2","b":"2","c":5}',
      '{"a":"1","b":"2","c":1}',
      '{"a":"2","b":"3","c":5}',
    ].map((line, i) => line.replace("{", `{"t":"${at(i)}",`));
    const dir = await store("sidebyside", lines);
    const counts = await bothCounts("sidebyside", dir, [
      '| json | a="1" b="2"',
      '| json | a="1" b="2" or c > 3',
      '| json | c > 3 or a="1" b="2"',
      '| json | a="1" c>0 or b="3"',
      '| json | (a="1" b="2") or c > 3',
      '| json | a="1" b="2", c > 0',
      '| json | a="1", b="2" or c > 3',
      '| json | a="1" b="2" != "nothing"',
    ]);
    agree(counts);
    expect(counts.map((c) => c.slo)).toEqual([2, 2, 4, 2, 4, 1, 2, 2]);
  });

  it("| json flattens nested objects, skips arrays and nulls, sanitises keys as Loki does (loki.md section 8)", async () => {
    const line = `{"t":"${at(0)}","a":{"b":"c","d":{"e":1}},"arr":[1,2,{"x":"y"}],"dot.key":"v1","dash-key":"v2","sp ace":"v3","num":42,"flt":1.5,"bool":true,"flag":false,"nul":null,"emptyobj":{},"app":"inner","Upper":"U"}`;
    const dir = await store("nest", [line, `{"t":"${at(1)}","nul":"x","arr":"s"}`]);
    agree(
      await bothCounts("nest", dir, [
        '| json | a_b = "c" and a_d_e = "1" and a_d_e == 1',
        '| json | dot_key = "v1" dash_key = "v2" sp_ace = "v3"',
        '| json | num = "42" and flt == 1.5 and flag = "false" and Upper = "U"',
        '| json | nul = "" and arr = "" and emptyobj = "" and arr_2_x = ""',
        '| json | nul = "x"',
        '| json | app = "nest" and app_extracted = "inner"',
        '| json | upper = "U"',
      ]),
    );
  });

  it("| json reads keys in the order written: the last of two that sanitise alike wins", async () => {
    const lines = ['{"_1":"a","1":"b"}', '{"1":"c","_1":"d"}', '{"a-b":"x","a_b":"y"}'].map(
      (line, i) => line.replace("{", `{"t":"${at(i)}",`),
    );
    const dir = await store("order", lines);
    agree(
      await bothCounts("order", dir, [
        '| json | _1 = "b"',
        '| json | _1 = "a"',
        '| json | _1 = "d"',
        '| json | a_b = "y"',
      ]),
    );
  });
});
