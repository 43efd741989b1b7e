import { describe, expect, it } from "vitest";
import {
  checkPromQL,
  formatPromDuration,
  hasWindowPlaceholder,
  isSelector,
  selectorParts,
  substituteWindow,
  windowQuery,
} from "../../src/definition/promql.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("checkPromQL", () => {
  it.each([
    'http_requests_total{job="ctrl",code=~"5.."}',
    "up",
    '{__name__="http_requests_total", job="ctrl"}',
    'sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
    'sum(increase(http_requests_total{code=~"5.."}[{{window}}]))',
    "sum(increase(x[{{.window}}]))",
    "sum(increase(x[{{ window }}])) / sum(increase(y[{{window}}]))",
    "x # a comment",
  ])("accepts %s", (text) => {
    expect(checkPromQL(text)).toEqual({ ok: true });
  });

  it("rejects an empty query", () => {
    expect(checkPromQL("  ")).toEqual({ ok: false, message: "empty PromQL query", offset: 0 });
  });

  it("points at the unexpected token", () => {
    const result = checkPromQL("foo bar");
    expect(result).toEqual({ ok: false, message: 'syntax error: unexpected "bar"', offset: 4 });
  });

  it("says when the query ends too soon", () => {
    const result = checkPromQL("sum(rate(x[5m]) /");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toBe("syntax error: unexpected end of query");
      expect(result.offset).toBe(17);
    }
  });

  it("maps offsets after a placeholder back to the text as written", () => {
    // The placeholder is 10 characters; the duration that stands in for it is shorter.
    const text = "sum(increase(x[{{window}}]))) + 1";
    const result = checkPromQL(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.offset).toBe(text.indexOf(")))") + 2);
  });

  it("maps an error inside a filled placeholder to the placeholder's start", () => {
    // `{{window}}` in a place that takes no duration: the error lands on the placeholder.
    const text = 'x{a="b"} {{window}}';
    const result = checkPromQL(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.offset).toBe(text.indexOf("{{"));
  });

  it("reports a label matcher left open", () => {
    const result = checkPromQL('x{a="b"');
    expect(result.ok).toBe(false);
  });
});

describe("selectors", () => {
  it.each([
    ["x", true],
    ['x{a="b", c=~"d.*"}', true],
    ['{__name__="x"}', true],
    ["(x)", true],
    ["x[5m]", false],
    ["rate(x[5m])", false],
    ["sum(x)", false],
    ["x offset 5m", false],
    ["x +", false],
    ["sum(increase(x[{{window}}]))", false],
  ])("isSelector(%s) = %s", (text, expected) => {
    expect(isSelector(text)).toBe(expected);
  });

  it("splits a selector into its metric and matchers", () => {
    expect(selectorParts('http_requests_total{job="ctrl", code=~"5.."}')).toEqual({
      metric: "http_requests_total",
      matchers: ['job="ctrl"', 'code=~"5.."'],
    });
    expect(selectorParts("sum(x)")).toBeNull();
  });
});

describe("window queries", () => {
  it("formats a window in one unit, the largest that keeps it whole", () => {
    expect(formatPromDuration(30 * DAY)).toBe("30d");
    expect(formatPromDuration(HOUR)).toBe("1h");
    expect(formatPromDuration(5 * 60_000)).toBe("5m");
    expect(formatPromDuration(90 * 60_000)).toBe("90m");
    // A calendar month that lost an hour to DST.
    expect(formatPromDuration(31 * DAY - HOUR)).toBe("743h");
    expect(formatPromDuration(31 * DAY - HOUR + 1000)).toBe("2674801s");
    expect(formatPromDuration(1500)).toBe("1500ms");
  });

  it("wraps a selector in sum(increase(...))", () => {
    expect(windowQuery('http_requests_total{code=~"5.."}', 30 * DAY)).toBe(
      'sum(increase(http_requests_total{code=~"5.."}[30d]))',
    );
  });

  it("drops a trailing comment that would swallow the range", () => {
    expect(windowQuery("x # errors", HOUR)).toBe("sum(increase(x[1h]))");
  });

  it("fills every placeholder of a full query", () => {
    const text = "sum(increase(x[{{window}}])) - sum(increase(y[{{.window}}]))";
    expect(hasWindowPlaceholder(text)).toBe(true);
    expect(windowQuery(text, 6 * HOUR)).toBe("sum(increase(x[6h])) - sum(increase(y[6h]))");
    expect(substituteWindow("a[{{ window }}]", "1d")).toBe("a[1d]");
  });

  it("has no query for a full query without a placeholder: it could not follow the window", () => {
    expect(hasWindowPlaceholder("sum(increase(x[30d]))")).toBe(false);
    expect(windowQuery("sum(increase(x[30d]))", HOUR)).toBeNull();
  });
});
