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
    expect(parseGoFloat("0x10")).toBe(16);
    for (const bad of ["", " 1", "1 ", "abc", "1e", "--1", "12ms"])
      expect(parseGoFloat(bad)).toBeNull();
  });

  it("unquoteGoString handles raw strings and every escape", () => {
    expect(unquoteGoString("`a\\b`")).toBe("a\\b");
    expect(unquoteGoString('"\\a\\b\\f\\n\\r\\t\\v"')).toBe("\x07\b\f\n\r\t\v");
    expect(unquoteGoString('"\\101\\U0001F600"')).toBe("A😀");
    expect(() => unquoteGoString('"\\xZZ"')).toThrow(/invalid escape/);
  });
});
