/** LogQL literals and label values read as Loki (Go) reads them. */

import { describe, expect, it } from "vitest";
import {
  parseGoDuration,
  parseGoFloat,
  parseHumanBytes,
  unquoteGoString,
} from "../../../src/definition/logql/literals.js";

describe("LogQL values", () => {
  it("parseGoDuration reads Go durations in seconds", () => {
    expect(parseGoDuration("250ms")).toBe(0.25);
    expect(parseGoDuration("1.5s")).toBe(1.5);
    expect(parseGoDuration("1h30m")).toBe(5400);
    expect(parseGoDuration("-2s")).toBe(-2);
    expect(parseGoDuration("0")).toBe(0);
    expect(parseGoDuration("300us")).toBeCloseTo(0.0003, 12);
    expect(parseGoDuration("2μs")).toBeCloseTo(2e-6, 12);
    expect(parseGoDuration("1d")).toBeNull();
    expect(parseGoDuration("1d", { allowDays: true })).toBe(86400);
    for (const bad of ["", "250", "s", "1.5", "1 s", "ms", "1x"])
      expect(parseGoDuration(bad)).toBeNull();
  });

  it("parseHumanBytes reads sizes like humanize.ParseBytes", () => {
    expect(parseHumanBytes("42")).toBe(42);
    expect(parseHumanBytes("2KB")).toBe(2000);
    expect(parseHumanBytes("2 KiB")).toBe(2048);
    expect(parseHumanBytes("1.5mb")).toBe(1.5e6);
    expect(parseHumanBytes("1,024 B")).toBe(1024);
    expect(parseHumanBytes("12 parsecs")).toBeNull();
    expect(parseHumanBytes("1 constructor")).toBeNull();
    expect(parseHumanBytes("")).toBeNull();
  });

  it("parseGoFloat is strict where Number() is not", () => {
    expect(parseGoFloat("252.2")).toBe(252.2);
    expect(parseGoFloat("-1e3")).toBe(-1000);
    expect(parseGoFloat(".5")).toBe(0.5);
    expect(parseGoFloat("5.")).toBe(5);
    expect(parseGoFloat("+Inf")).toBe(Number.POSITIVE_INFINITY);
    for (const bad of ["", " 1", "1 ", "abc", "1e", "--1", "12ms"])
      expect(parseGoFloat(bad)).toBeNull();
  });

  it("parseGoFloat follows strconv.ParseFloat: out of range and 0x without p are errors", () => {
    // the numbers Go refuses and JavaScript's Number() takes
    for (const bad of [
      "1e400",
      "-1e400",
      "0x10",
      "0X1F",
      "-0x10",
      "+nan",
      "-NaN",
      "1__0",
      "1_",
      "_1",
    ])
      expect(parseGoFloat(bad), bad).toBeNull();
    // and those Go reads that Number() does not
    expect(parseGoFloat("0x1p4")).toBe(16);
    expect(parseGoFloat("-0x1.8p1")).toBe(-3);
    expect(parseGoFloat("0x_1p-2")).toBe(0.25);
    expect(parseGoFloat("5.e3")).toBe(5000);
    expect(parseGoFloat("1_000.5")).toBe(1000.5);
    expect(parseGoFloat("Infinity")).toBe(Number.POSITIVE_INFINITY);
    expect(parseGoFloat("-inf")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseGoFloat("NaN")).toBeNaN();
    // underflow is 0 in Go, not an error
    expect(parseGoFloat("1e-400")).toBe(0);
    expect(parseGoFloat("12345678901234567890")).toBe(Number("12345678901234567890"));
  });

  it("unquoteGoString handles raw strings and every escape", () => {
    expect(unquoteGoString("`a\\b`")).toBe("a\\b");
    expect(unquoteGoString('"\\a\\b\\f\\n\\r\\t\\v"')).toBe("\x07\b\f\n\r\t\v");
    expect(unquoteGoString('"\\101\\U0001F600"')).toBe("A😀");
    expect(() => unquoteGoString('"\\xZZ"')).toThrow(/invalid escape/);
  });
});
