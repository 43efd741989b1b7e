/** RE2 patterns compiled as JavaScript RegExps: how they match, what they reject. */

import { describe, expect, it } from "vitest";
import { compileLogQLRegex } from "../../../src/definition/logql/regex.js";

describe("compileLogQLRegex: RE2 as JavaScript", () => {
  it("anchors label matchers fully, not line filters", () => {
    expect(compileLogQLRegex("b", true).test("abc")).toBe(false);
    expect(compileLogQLRegex("a|abc", true).test("abc")).toBe(true);
    expect(compileLogQLRegex("b", false).test("abc")).toBe(true);
  });

  it("translates RE2-only syntax", () => {
    expect(compileLogQLRegex("(?i)ERROR", false).test("an error")).toBe(true);
    expect(compileLogQLRegex("(?P<code>5\\d\\d)", true).exec("503")?.groups?.code).toBe("503");
    expect(compileLogQLRegex("[[:digit:]]+", true).test("123")).toBe(true);
    expect(compileLogQLRegex("[[:alpha:]_]+", true).test("ab_c")).toBe(true);
    expect(compileLogQLRegex("\\Qa.b\\E", true).test("a.b")).toBe(true);
    expect(compileLogQLRegex("\\Qa.b\\E", true).test("axb")).toBe(false);
    expect(compileLogQLRegex("\\Aab\\z", false).test("ab")).toBe(true);
    expect(compileLogQLRegex("a\\-b\\:c", true).test("a-b:c")).toBe(true);
    expect(compileLogQLRegex("é.", true).test("éx")).toBe(true);
    expect(compileLogQLRegex(".", true).test("😀")).toBe(true);
  });

  it("rejects what RE2 does not have", () => {
    expect(() => compileLogQLRegex("(?=a)", false)).toThrow(/lookaround/);
    expect(() => compileLogQLRegex("(?<!a)b", false)).toThrow(/lookaround/);
    expect(() => compileLogQLRegex("(a)\\1", false)).toThrow(/backreferences/);
    expect(() => compileLogQLRegex("(?x)a", false)).toThrow(/flag/);
    expect(() => compileLogQLRegex("[a", false)).toThrow();
  });
});
