/** LogQL pipeline semantics on single lines, as Loki evaluates them. */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseLogQuery } from "../../../src/definition/logql/parse.js";
import { compileQuery } from "../../../src/sources/logs/evaluation/compiled-query.js";
import {
  flattenJsonText,
  type JsonObject,
  jsonScalarText,
  sanitizeLabelKey,
} from "../../../src/sources/logs/line-parsing/json-fields.js";
import {
  ParsedLine,
  parseJsonObject,
  TextLine,
} from "../../../src/sources/logs/line-parsing/line-record.js";
import { parseLogfmt, readLogfmt } from "../../../src/sources/logs/line-parsing/logfmt.js";

const STREAM = { app: "ctrl", env: "prod" };

/** Whether the query counts the line (a JSON object or any other text, as the evaluator reads it). */
function matches(query: string, line: string): boolean {
  const parsed = parseLogQuery(query, { requireSelector: false });
  if (!parsed.ok) throw new Error(parsed.message);
  const object = parseJsonObject(line);
  const view = object ? new ParsedLine(line, object, STREAM) : new TextLine(line, STREAM);
  return compileQuery(parsed.query, STREAM).matches(view);
}

/** The lines of `lines` the query counts. */
function counted(query: string, lines: string[]): string[] {
  return lines.filter((line) => matches(query, line));
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

  it("reads any JSON object as flattening JSON.parse's value would, numbers as JSON.stringify wrote them", () => {
    // the obvious reference: JSON.parse's object walked in its key order, which is
    // the order written for objects without integer-like keys (fast-check's keys may be)
    const reference = (object: JsonObject, prefix: string, out: Map<string, string>) => {
      for (const key in object) {
        const value = object[key];
        const clean = sanitizeLabelKey(key, prefix === "");
        if (clean === "") continue;
        const name = prefix === "" ? clean : `${prefix}_${clean}`;
        const text = jsonScalarText(value);
        if (text !== undefined) out.set(name, text);
        else if (value !== null && typeof value === "object" && !Array.isArray(value)) {
          reference(value as JsonObject, name, out);
        }
      }
      return out;
    };
    const key = fc.string({ maxLength: 6 }).filter((k) => !/^\d+$/.test(k));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), fc.boolean(), (object, spaced) => {
        const text = JSON.stringify(object, null, spaced ? 1 : undefined);
        const expected = reference(JSON.parse(text) as JsonObject, "", new Map());
        expect(Object.fromEntries(flattenJsonText(text))).toEqual(Object.fromEntries(expected));
      }),
      { numRuns: 500 },
    );
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
  it("extracts key=value, quoted values, sanitised keys, and empty values (bare keys too), as Loki does", () => {
    expect(
      Object.fromEntries(parseLogfmt('lvl=info msg="hello \\"you\\"" dur=1.5s a-b=1 empty= flag')),
    ).toEqual({
      lvl: "info",
      msg: 'hello "you"',
      dur: "1.5s",
      a_b: "1",
      empty: "",
      flag: "",
    });
    expect(Object.fromEntries(parseLogfmt("not logfmt at all"))).toEqual({
      not: "",
      logfmt: "",
      at: "",
      all: "",
    });
    expect(parseLogfmt("level=info level=debug").get("level")).toBe("debug");
  });

  it("stops at a syntax error, keeping what came before, with Loki's words and position", () => {
    // each as Loki 2.7.5 answered for the same line (see the real-Loki test)
    expect(readLogfmt('k="unterminated status=500')).toEqual({
      labels: new Map(),
      error: "logfmt syntax error at pos 27 : unterminated quoted value",
    });
    expect(readLogfmt("a=1 =b status=502")).toEqual({
      labels: new Map([["a", "1"]]),
      error: "logfmt syntax error at pos 5 : unexpected '='",
    });
    expect(readLogfmt('a="x\\qy" status=501').error).toBe(
      "logfmt syntax error at pos 9 : invalid quoted value",
    );
    expect(readLogfmt('{"status":500}').error).toBe(
      "logfmt syntax error at pos 2 : unexpected '\"'",
    );
    expect(readLogfmt("a=b=c").error).toBe("logfmt syntax error at pos 4 : unexpected '='");
    expect(readLogfmt('a="x\\u00e9\\/" b=""')).toEqual({
      labels: new Map([
        ["a", "xé/"],
        ["b", ""],
      ]),
      error: null,
    });
  });

  it("runs on the raw line; a later parser overrides an earlier one; its error drops the line", () => {
    const line = '{"msg":"x","note":"a=1"}';
    // logfmt fails on a JSON line at its second character
    expect(matches("| logfmt | a = 1", line)).toBe(false);
    expect(matches('| json | logfmt | msg = "x"', line)).toBe(false);
    expect(matches('| json | logfmt | msg = "x" | __error__ = "LogfmtParserErr"', line)).toBe(true);
    expect(matches('| logfmt | json | msg = "x"', "msg=y")).toBe(false);
    expect(matches('| logfmt | msg = "y"', "msg=y")).toBe(true);
  });
});

describe("__error__, as Loki sets it", () => {
  // loki.md section 8's lines; the real-Loki test checks the same counts on Loki
  const lines = [
    '{"status":503}',
    '{"status":"503"}',
    '{"id":"missing"}',
    '{"status":"abc"}',
    '{"status":200}',
    "not json id=plain",
    '{"status":500.5}',
    '{"status":true}',
    '{"status":null}',
    '{"status":""}',
  ];

  it("drops a line that leaves the stages with an error when the query does not read __error__", () => {
    expect(counted("| json | status >= 500", lines)).toEqual([
      '{"status":503}',
      '{"status":"503"}',
      '{"status":500.5}',
    ]);
    expect(counted("| json | status == 503", lines)).toEqual([
      '{"status":503}',
      '{"status":"503"}',
    ]);
    expect(counted('| json | status = "503"', lines)).toEqual([
      '{"status":503}',
      '{"status":"503"}',
    ]);
    expect(counted("| json", lines)).toHaveLength(9);
  });

  it("keeps a line that fails a numeric filter, marked LabelFilterErr, and skips later numeric filters", () => {
    expect(counted('| json | status >= 500 | __error__ = "LabelFilterErr"', lines)).toEqual([
      '{"status":"abc"}',
      '{"status":true}',
      '{"status":""}',
    ]);
    expect(counted('| json | status >= 500 | __error__ != ""', lines)).toEqual([
      '{"status":"abc"}',
      "not json id=plain",
      '{"status":true}',
      '{"status":""}',
    ]);
    expect(
      counted('| json | status >= 500 | status < 0 | __error__ = "LabelFilterErr"', lines),
    ).toHaveLength(3);
  });

  it("judges both sides of an and, as Loki does: inside an or, its right side's error stays", () => {
    const line = '{"a":"x","size":"big","m":"y"}';
    // Loki's and runs its right side even when its left fails; the or then keeps the line, on the error
    expect(matches('| json | a = "z" and size >= 1MB or m = "y"', line)).toBe(false);
    expect(
      matches('| json | a = "z" and size >= 1MB or m = "y" | __error__ = "LabelFilterErr"', line),
    ).toBe(true);
    expect(matches('| json | (a = "z" and size >= 1MB) or m = "y" | __error__ = ""', line)).toBe(
      false,
    );
    // an or whose left passes does not run its right side
    expect(matches('| json | m = "y" or size >= 1MB', line)).toBe(true);
  });

  it("marks a line that is not JSON with JSONParserErr and Loki's details", () => {
    expect(counted('| json | __error__ = "JSONParserErr"', lines)).toEqual(["not json id=plain"]);

    expect(counted('| json | __error__ = ""', lines)).toHaveLength(9);
    expect(counted('| __error__ = ""', lines)).toHaveLength(10);
  });

  it("passes an errored line through or (the left side keeps it) but not through a failing and", () => {
    const line = '{"status":"abc","level":"info"}';
    expect(matches('| json | status >= 500 or level = "x" | __error__ != ""', line)).toBe(true);
    expect(matches('| json | level = "x" and status >= 500 | __error__ != ""', line)).toBe(false);
    expect(matches('| json | status >= 500 or level = "info"', line)).toBe(false);
  });

  it("reads __error_details__ as empty, as Loki 2.7.5's filters do (it only labels returned lines)", () => {
    expect(counted('| json | status >= 500 | __error_details__ = ""', lines)).toHaveLength(7);
    expect(counted('| json | status >= 500 | __error_details__ != ""', lines)).toEqual([]);
    expect(counted('| json | __error_details__ =~ ".+"', lines)).toEqual([]);
  });
});
