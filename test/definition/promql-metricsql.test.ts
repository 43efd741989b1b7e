/**
 * MetricsQL (VictoriaMetrics' query language) that is not PromQL is named as
 * such, with what to write instead, where it was written; a real PromQL
 * mistake still reads as a PromQL syntax error.
 */

import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPromQL } from "../../src/definition/promql.js";
import { expectNamedAtPosition, readBrokenFixtures } from "../support/broken-fixtures.js";
import { hasStackTrace, ROOT, runCli } from "../support/cli.js";

const DIR = join(ROOT, "test", "fixtures", "metricsql");
const fixtures = readBrokenFixtures(DIR);

function failure(text: string): { message: string; offset: number; hint?: string | undefined } {
  const result = checkPromQL(text);
  if (result.ok) throw new Error(`${text} parsed as PromQL`);
  return result;
}

describe("MetricsQL in a PromQL query", () => {
  it.each([
    ['WITH (e = x{code="500"}) sum(rate(e[5m]))', "WITH", "template"],
    ["sum(rate(x[5m])) default 0", "default", "or vector(0)"],
    ["sum(rate(x[5m])) if sum(rate(y[5m]))", "if", "and"],
    ["sum(rate(x[5m])) ifnot sum(rate(y[5m]))", "ifnot", "unless"],
    ["rate(x[5m]) keep_metric_names", "keep_metric_names", "leave it out"],
    ["rollup_candlestick(x[5m])", "rollup_candlestick", "PromQL function"],
    ["range_median(x)", "range_median", "PromQL function"],
    ["histogram_share(0.3, sum(rate(x_bucket[5m])) by (le))", "histogram_share", '{le="0.3"}'],
    ["sum(increase_pure(x[5m]))", "increase_pure", "increase("],
    ['label_set(x, "team", "a")', "label_set", "label_replace"],
    ["median_over_time(x[5m])", "median_over_time", "quantile_over_time(0.5"],
    ["rate(x[1i])", "1i", "duration"],
    ["rate(x[5m:1i])", "1i", "duration"],
    ["sum(rate(x[5m])) > 1Ki", "1Ki", "1024"],
    ["sum(rate(x[5m])) > 1.5K", "1.5K", "1500"],
    ["rate(x[1.5m])", "1.5m", "90s"],
    ["sum(rate(x[5m])) by (job) limit 10", "limit", "topk"],
    ['x{job="a" or job="b"}', "or", '=~"'],
  ])("%s: names %s", (text, feature, instead) => {
    const f = failure(text);
    expect(f.message).toContain("looks like MetricsQL");
    expect(f.message).toContain(feature);
    expect(f.hint).toContain(instead);
    expect(f.offset).toBe(text.indexOf(feature));
  });

  it("points into the text as written when {{window}} placeholders come first", () => {
    const text = "sum(increase(x[{{window}}])) / sum(increase_pure(y[{{window}}]))";
    expect(failure(text).offset).toBe(text.indexOf("increase_pure"));
  });

  it("a MetricsQL name inside a string or a comment is not taken for MetricsQL", () => {
    const f = failure('x{f="rollup_candlestick("} bar # default 0');
    expect(f.message).toBe('syntax error: unexpected "bar"');
    expect(f.hint).toBeUndefined();
  });

  it.each([
    ["foo bar", 'syntax error: unexpected "bar"'],
    ["sum(rate(x[5m]) /", "syntax error: unexpected end of query"],
    ["rat(x[5m])", 'syntax error: unexpected "("'],
    ["sum(rate(x[5m])) defaults 0", 'syntax error: unexpected "defaults"'],
    // A MetricsQL word, but the query fails before it: the first error is the news.
    ["sum(rate(x[5m]) ) ) default 0", 'syntax error: unexpected ")"'],
  ])("a real PromQL mistake still reads as one: %s", (text, message) => {
    const f = failure(text);
    expect(f.message).toBe(message);
    expect(f.hint).toBeUndefined();
  });

  it.each([
    "sum by (default, limit, if) (x)",
    'x{default="a", ifnot="b"}',
    "x > 1_000",
    "histogram_quantile(0.9, sum(rate(x_bucket[5m])) by (le))",
  ])("PromQL that uses MetricsQL's words is still PromQL: %s", (text) => {
    expect(checkPromQL(text)).toEqual({ ok: true });
  });
});

describe("MetricsQL in SLO files (native, Sloth, OpenSLO)", () => {
  it("there are fixtures of each format", () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(6);
  });

  it.each(fixtures)("$name: named at its position", (fixture) =>
    expectNamedAtPosition(DIR, fixture),
  );

  it("slo validate exits 2 with file:line:col, the hint, and no stack trace", async () => {
    const r = await runCli(["validate", "test/fixtures/metricsql/03-sloth-default.yaml"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("test/fixtures/metricsql/03-sloth-default.yaml:12:94: ");
    expect(r.stderr).toContain("hint: ");
    expect(hasStackTrace(r.stderr)).toBe(false);
  });
});
