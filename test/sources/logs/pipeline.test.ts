/** LogQL pipeline semantics on single lines, as Loki evaluates them. */

import { describe, expect, it } from "vitest";
import { parseLogQuery } from "../../../src/definition/logql/parse.js";
import { compileQuery } from "../../../src/sources/logs/evaluation/compiled-query.js";
import {
  flattenJsonText,
  sanitizeLabelKey,
} from "../../../src/sources/logs/line-parsing/json-fields.js";
import { ParsedLine, parseJsonObject } from "../../../src/sources/logs/line-parsing/line-record.js";
import { parseLogfmt } from "../../../src/sources/logs/line-parsing/logfmt.js";

const STREAM = { app: "ctrl", env: "prod" };

function matches(query: string, line: string): boolean {
  const parsed = parseLogQuery(query, { requireSelector: false });
  if (!parsed.ok) throw new Error(parsed.message);
  const object = parseJsonObject(line);
  if (!object) throw new Error(`not a JSON object: ${line}`);
  return compileQuery(parsed.query, STREAM).matches(new ParsedLine(line, object, STREAM));
}

describe("json extraction", () => {
  it("flattens nested objects with _, skips arrays and nulls, stringifies scalars", () => {
    const line =
      '{"a":{"b":1,"c":{"d":"x"}},"arr":[1,{"x":2}],"n":null,"f":252.2,"big":1e21,"t":true,"s":"str"}';
    expect(Object.fromEntries(flattenJsonText(line))).toEqual({
      a_b: "1",
      a_c_d: "x",
      f: "252.2",
      big: "1e21",
      t: "true",
      s: "str",
    });
  });

  it("sanitises keys as Loki does", () => {
    expect(sanitizeLabelKey("user-agent", true)).toBe("user_agent");
    expect(sanitizeLabelKey("@timestamp", true)).toBe("_timestamp");
    expect(sanitizeLabelKey("1st", true)).toBe("_1st");
    expect(sanitizeLabelKey("1st", false)).toBe("1st");
    expect(sanitizeLabelKey(" a.b ", true)).toBe("a_b");
    expect(sanitizeLabelKey("é😀", true)).toBe("__");
    expect(sanitizeLabelKey("  ", true)).toBe("");
  });

  it("keeps each number's text, as Loki's | json does: strings compare with the text", () => {
    const line = '{"id":12345678901234567890,"v":1.0,"code":5e2,"neg":-0,"e":1E-7}';
    expect(Object.fromEntries(flattenJsonText(line))).toEqual({
      id: "12345678901234567890",
      v: "1.0",
      code: "5e2",
      neg: "-0",
      e: "1E-7",
    });
    expect(matches('| json | id = "12345678901234567890"', line)).toBe(true);
    expect(matches('| json | id = "12345678901234567000"', line)).toBe(false);
    expect(matches('| json | v = "1.0"', line)).toBe(true);
    expect(matches('| json | v = "1"', line)).toBe(false);
    expect(matches('| json | code = "5e2"', line)).toBe(true);
    expect(matches('| json | code =~ "5e.*"', line)).toBe(true);
    expect(matches("| json | code == 500 and v == 1 and e < 1e-6", line)).toBe(true);
    // the same text where slo reads a field itself (the breakdown), on the JSON.parse path
    const parsed = new ParsedLine(line, parseJsonObject(line)!, STREAM);
    expect(parsed.fieldText("id")).toBe("12345678901234567890");
    expect(parsed.fieldText("v")).toBe("1.0");
    expect(parsed.field("v")).toBe(1);
  });

  it("takes a number out of Go's range as no number: 1e400 fails a numeric filter", () => {
    expect(matches("| json | big > 1", '{"big":1e400}')).toBe(false);
    expect(matches("| json | big < 1", '{"big":1e400}')).toBe(false);
    expect(matches('| json | big = "1e400"', '{"big":1e400}')).toBe(true);
  });

  it("walks keys in the order written: the last of two keys that sanitise alike wins", () => {
    // JavaScript objects put integer keys first; Loki reads the line in order
    expect(matches('| json | _1 = "b"', '{"_1":"a","1":"b"}')).toBe(true);
    expect(matches('| json | _1 = "a"', '{"1":"b","_1":"a"}')).toBe(true);
  });

  it("lets a later duplicate key win", () => {
    expect(matches('| json | a = "2"', '{"a":"1","a":"2"}')).toBe(true);
  });
});

describe("label filters", () => {
  const line =
    '{"status":503,"d":"250ms","size":"2KiB","msg":"upstream refused","req":{"path":"/v1/x"},"user-agent":"curl","code":"5xx"}';

  it("compares numbers", () => {
    expect(matches("| json | status >= 500", line)).toBe(true);
    expect(matches("| json | status == 503", line)).toBe(true);
    expect(matches("| json | status != 503", line)).toBe(false);
    expect(matches("| json | status < 500", line)).toBe(false);
  });

  it("fails a numeric filter on a value that does not convert or a missing label", () => {
    expect(matches("| json | code >= 500", line)).toBe(false);
    expect(matches("| json | code < 500", line)).toBe(false);
    expect(matches("| json | code != 500", line)).toBe(false);
    expect(matches("| json | nothing != 1", line)).toBe(false);
  });

  it("compares durations and byte sizes", () => {
    expect(matches("| json | d >= 250ms", line)).toBe(true);
    expect(matches("| json | d > 0.2s", line)).toBe(true);
    expect(matches("| json | d > 1s", line)).toBe(false);
    expect(matches("| json | status > 1s", line)).toBe(false); // "503" is no Go duration
    expect(matches("| json | size == 2KiB", line)).toBe(true);
    expect(matches("| json | size > 2KB", line)).toBe(true);
  });

  it("matches strings and anchored regexes; a missing label is empty", () => {
    expect(matches('| json | msg = "upstream refused"', line)).toBe(true);
    expect(matches('| json | msg =~ "upstream.*"', line)).toBe(true);
    expect(matches('| json | msg =~ "refused"', line)).toBe(false);
    expect(matches('| json | msg !~ "refused"', line)).toBe(true);
    expect(matches('| json | nothing = ""', line)).toBe(true);
    expect(matches('| json | nothing != "x"', line)).toBe(true);
    expect(matches('| json | __error__ = ""', line)).toBe(true);
  });

  it("reads nested and sanitised names", () => {
    expect(matches('| json | req_path = "/v1/x"', line)).toBe(true);
    expect(matches('| json | user_agent = "curl"', line)).toBe(true);
  });

  it("combines with and / or / parentheses", () => {
    expect(matches('| json | status >= 500 and msg =~ "up.*"', line)).toBe(true);
    expect(matches('| json | status < 500 or msg =~ "up.*"', line)).toBe(true);
    expect(matches('| json | status < 500 or msg = "x" and status > 1', line)).toBe(false);
    expect(matches('| json | (status < 500 or msg =~ "up.*"), d > 1s', line)).toBe(false);
  });

  it("sees only what the stages before it extracted", () => {
    expect(matches("| status >= 500 | json", line)).toBe(false);
    expect(matches("| json | status >= 500", line)).toBe(true);
  });
});

describe("stream labels", () => {
  it("are visible before and after parsers; a parsed key of the same name becomes name_extracted", () => {
    const line = '{"app":"other","x":1}';
    expect(matches('| app = "ctrl"', line)).toBe(true);
    expect(matches('| json | app = "ctrl"', line)).toBe(true);
    expect(matches('| json | app_extracted = "other"', line)).toBe(true);
    expect(matches('{env="prod"} | json | x = 1', line)).toBe(true);
    expect(matches('{env!="prod"} | json | x = 1', line)).toBe(false);
    expect(matches('{missing=""}', line)).toBe(true);
  });
});

describe("line filters", () => {
  const line = '{"msg":"Payment FAILED","lvl":"error"}';
  it("search the raw line", () => {
    expect(matches('|= "FAILED"', line)).toBe(true);
    expect(matches('|= "failed"', line)).toBe(false);
    expect(matches('|~ "(?i)failed"', line)).toBe(true);
    expect(matches('!= "FAILED"', line)).toBe(false);
    expect(matches('!~ "lvl.:.debug"', line)).toBe(true);
    expect(matches('|= "\\"lvl\\":\\"error\\""', line)).toBe(true);
    expect(matches('|= ""', line)).toBe(true);
  });
});

describe("logfmt", () => {
  it("extracts key=value and quoted values, sanitised keys, no empty values", () => {
    expect(
      Object.fromEntries(parseLogfmt('lvl=info msg="hello \\"you\\"" dur=1.5s a-b=1 empty= flag')),
    ).toEqual({
      lvl: "info",
      msg: 'hello "you"',
      dur: "1.5s",
      a_b: "1",
    });
  });

  it("runs on the raw line; a later parser overrides an earlier one", () => {
    const line = '{"msg":"x","note":"a=1"}';
    // logfmt on a JSON line reads {"msg":"x","note":"a=1"} as one key, garbage
    expect(matches("| logfmt | a = 1", line)).toBe(false);
    expect(matches('| json | logfmt | msg = "x"', line)).toBe(true);
  });
});
