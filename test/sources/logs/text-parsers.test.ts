/**
 * What `| pattern` and `| regexp` extract, line by line, as the real Loki
 * 2.7.5 extracted it (each expectation below was read from Loki's answer to
 * a log query over the same lines; test/sources/logs/nginx-access-log.test.ts
 * checks the counts on the running Loki).
 */

import { describe, expect, it } from "vitest";
import { parsePatternExpression } from "../../../src/definition/logql/pattern.js";
import { compileLogQLRegex } from "../../../src/definition/logql/regex.js";
import {
  patternCaptures,
  regexpCaptures,
} from "../../../src/sources/logs/line-parsing/text-parsers.js";

function pattern(expression: string, line: string): Record<string, string> {
  const parsed = parsePatternExpression(expression);
  if (!parsed.ok) throw new Error(parsed.message);
  return Object.fromEntries(patternCaptures(parsed.parts, line));
}

function regexp(expression: string, line: string): Record<string, string> {
  return Object.fromEntries(regexpCaptures(compileLogQLRegex(expression, false), line));
}

const ACCESS = '10.0.0.1 - - [06/Dec/2026:10:00:00 +0000] "GET /i HTTP/1.1" 503 12';

describe("patternCaptures, as Loki 2.7.5", () => {
  it("splits an access log line", () => {
    expect(pattern('<ip> - - <_> "<method> <path> <_>" <status> <_>', ACCESS)).toEqual({
      ip: "10.0.0.1",
      method: "GET",
      path: "/i",
      status: "503",
    });
  });

  it("lets a capture whose literal is missing take the rest of the line, and stops there", () => {
    expect(pattern("<a> <b>", "garbage")).toEqual({ a: "garbage" });
    expect(pattern("<a> <b>", "a b c")).toEqual({ a: "a", b: "b c" });
    expect(pattern("<a> <b>", "  lead")).toEqual({ a: "", b: " lead" });
    expect(pattern("<a> <b>", "x ")).toEqual({ a: "x", b: "" });
  });

  it("extracts nothing from an empty line, or when a leading literal does not start the line", () => {
    expect(pattern("<a> <b>", "")).toEqual({});
    expect(pattern("k=<v> <n>", "k=v 7")).toEqual({ v: "v", n: "7" });
    expect(pattern("k=<v> <n>", "a k=v 7")).toEqual({});
    expect(pattern("<a-b> <c>", "x y")).toEqual({});
  });

  it("ignores the rest of the line after a trailing literal", () => {
    expect(pattern("<a>:", "x:y:z")).toEqual({ a: "x" });
  });
});

describe("regexpCaptures, as Loki 2.7.5", () => {
  it("gives a group that took no part in the match as empty, and nothing for a line it does not match", () => {
    expect(regexp("(?P<a>x)|(?P<b>garb)", "garbage")).toEqual({ a: "", b: "garb" });
    expect(regexp("(?P<a>x)|(?P<b>garb)", "x ")).toEqual({ a: "x", b: "" });
    expect(regexp("(?P<a>x)|(?P<b>garb)", "tail-only")).toEqual({});
  });

  it("takes the leftmost match", () => {
    expect(regexp("(?P<app>\\S+)", "  lead")).toEqual({ app: "lead" });
  });
});
