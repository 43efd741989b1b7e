/**
 * Go string literals as LogQL writes them, recorded one by one: the value
 * unquoteGoString reads, or the error it throws. Any change shows here.
 */

import { describe, expect, it } from "vitest";
import { unquoteGoString } from "../../../src/definition/logql/literals.js";

type Unquoted =
  | { value: string }
  | { error: string }
  | { error: typeof RangeError; message: string };

function unquotedOf(raw: string): Unquoted {
  try {
    return { value: unquoteGoString(raw) };
  } catch (error) {
    if (error instanceof RangeError) return { error: RangeError, message: error.message };
    return { error: (error as Error).message };
  }
}

const UNQUOTED: [string, Unquoted][] = [
  ["``", { value: "" }],
  ["`a\\b`", { value: "a\\b" }],
  ["`a\r\nb\r`", { value: "a\nb" }],
  ['`"`', { value: '"' }],
  ['""', { value: "" }],
  ['"abc"', { value: "abc" }],
  ['"#"', { value: "#" }],
  ['"\r"', { value: "\r" }],
  ['"x\\ay"', { value: "x\u0007y" }],
  ['"x\\by"', { value: "x\by" }],
  ['"x\\fy"', { value: "x\fy" }],
  ['"x\\ny"', { value: "x\ny" }],
  ['"x\\ry"', { value: "x\ry" }],
  ['"x\\ty"', { value: "x\ty" }],
  ['"x\\vy"', { value: "x\u000by" }],
  ['"x\\\\y"', { value: "x\\y" }],
  ['"x\\"y"', { value: 'x"y' }],
  ['"x\\\'y"', { value: "x'y" }],
  ['"\\x41"', { value: "A" }],
  ['"\\xe9"', { value: "é" }],
  ['"\\xE9"', { value: "é" }],
  ['"\\xff"', { value: "ÿ" }],
  ['"\\x00"', { value: "\u0000" }],
  ['"\\xZZ"', { error: "invalid escape \\xZZ in string" }],
  ['"\\x4"', { error: "invalid escape \\x4 in string" }],
  ['"\\x4g"', { error: "invalid escape \\x4g in string" }],
  ['"\\x"', { error: "invalid escape \\x in string" }],
  ['"\\x+1"', { error: "invalid escape \\x+1 in string" }],
  ['"\\u00e9"', { value: "é" }],
  ['"\\u00E9"', { value: "é" }],
  ['"\\u00e"', { error: "invalid escape \\u00e in string" }],
  ['"\\u00eg"', { error: "invalid escape \\u00eg in string" }],
  ['"\\uD800"', { value: "\ud800" }],
  ['"\\u{41}"', { error: "invalid escape \\u{41} in string" }],
  ['"\\u0041BC"', { value: "ABC" }],
  ['"\\U0001F600"', { value: "😀" }],
  ['"\\U0001f60"', { error: "invalid escape \\U0001f60 in string" }],
  ['"\\U0010FFFF"', { value: "\u{10ffff}" }],
  ['"\\U00110000"', { error: RangeError, message: "Invalid code point 1114112" }],
  ['"\\UFFFFFFFF"', { error: RangeError, message: "Invalid code point 4294967295" }],
  ['"\\U0001F60G"', { error: "invalid escape \\U0001F60G in string" }],
  ['"\\101"', { value: "A" }],
  ['"\\000"', { value: "\u0000" }],
  ['"\\377"', { value: "ÿ" }],
  ['"\\400"', { value: "Ā" }],
  ['"\\777"', { value: "ǿ" }],
  ['"\\0"', { error: "invalid escape \\0 in string" }],
  ['"\\08"', { error: "invalid escape \\08 in string" }],
  ['"\\1"', { error: "invalid escape \\1 in string" }],
  ['"\\12"', { error: "invalid escape \\12 in string" }],
  ['"\\1234"', { value: "S4" }],
  ['"\\8"', { error: "invalid escape \\8 in string" }],
  ['"\\q"', { error: "invalid escape \\q in string" }],
  ['"\\?"', { error: "invalid escape \\? in string" }],
  ['"\\e"', { error: "invalid escape \\e in string" }],
  ['"\\ "', { error: "invalid escape \\  in string" }],
  ['"\\`"', { error: "invalid escape \\` in string" }],
  ['"\\é"', { error: "invalid escape \\é in string" }],
  ['"\\😀"', { error: "invalid escape \\\ud83d in string" }],
  ['"\\"', { error: "string ends in a backslash" }],
  ['"a\\"', { error: "string ends in a backslash" }],
  ['"\\\\\\\\"', { value: "\\\\" }],
  ['"\\\\n"', { value: "\\n" }],
  ['"q\\"x\\n\\t\\\\\\u00e9\\x41"', { value: 'q"x\n\t\\éA' }],
  ['"\\a\\b\\f\\n\\r\\t\\v"', { value: "\u0007\b\f\n\r\t\u000b" }],
  ['"\\101\\U0001F600"', { value: "A😀" }],
  ['"no escapes 😀"', { value: "no escapes 😀" }],
];

describe("unquoteGoString: the recorded literals", () => {
  it("reads every escape as recorded", () => {
    expect(UNQUOTED.map(([raw]) => [raw, unquotedOf(raw)])).toEqual(UNQUOTED);
  });
});
