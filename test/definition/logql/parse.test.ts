/** The LogQL log-pipeline parser: what it accepts (and the tree), what it rejects (and where). */

import { describe, expect, it } from "vitest";
import type { LabelFilterExpr, LogQuery } from "../../../src/definition/logql/ast.js";
import { parseLogQuery } from "../../../src/definition/logql/parse.js";

function parse(text: string, requireSelector = false): LogQuery {
  const result = parseLogQuery(text, { requireSelector });
  if (!result.ok) throw new Error(`${text}: ${result.message} at ${result.offset}`);
  return result.query;
}

function reject(text: string, requireSelector = false): { message: string; offset: number } {
  const result = parseLogQuery(text, { requireSelector });
  if (result.ok) throw new Error(`accepted: ${text}`);
  return { message: result.message, offset: result.offset };
}

function filterOf(text: string): LabelFilterExpr {
  const stage = parse(text).stages.at(-1);
  if (stage?.kind !== "filter") throw new Error("not a filter");
  return stage.expr;
}

describe("parseLogQuery: accepted queries", () => {
  it("parses the design's example", () => {
    const q = parse(
      '{app="ctrl"} | json | msg = "brkr-somesystem-http-response" | action = "CheckBalance" | status >= 500',
    );
    expect(q.selector).toEqual([{ label: "app", op: "=", value: "ctrl" }]);
    expect(q.stages).toEqual([
      { kind: "json" },
      {
        kind: "filter",
        expr: { kind: "string", label: "msg", op: "=", value: "brkr-somesystem-http-response" },
      },
      { kind: "filter", expr: { kind: "string", label: "action", op: "=", value: "CheckBalance" } },
      {
        kind: "filter",
        expr: { kind: "number", label: "status", op: ">=", value: 500, valueKind: "number" },
      },
    ]);
    expect(q.text).toContain("CheckBalance");
  });

  it("takes every selector matcher", () => {
    expect(parse('{a="1", b!="2", c=~"3.*", d!~"4|5"}').selector).toEqual([
      { label: "a", op: "=", value: "1" },
      { label: "b", op: "!=", value: "2" },
      { label: "c", op: "=~", value: "3.*" },
      { label: "d", op: "!~", value: "4|5" },
    ]);
  });

  it("takes line filters, chained, with double-quoted and raw strings", () => {
    expect(parse('{a="b"} |= "x" != `y\\z` |~ "a+" !~ "b\\\\d"').stages).toEqual([
      { kind: "line", op: "|=", value: "x" },
      { kind: "line", op: "!=", value: "y\\z" },
      { kind: "line", op: "|~", value: "a+" },
      { kind: "line", op: "!~", value: "b\\d" },
    ]);
  });

  it("takes a query without a selector when allowed, starting at any stage", () => {
    expect(parse("| json | status >= 500")).toMatchObject({
      selector: null,
      text: "| json | status >= 500",
    });
    expect(parse('|= "error"').stages).toEqual([{ kind: "line", op: "|=", value: "error" }]);
    expect(parse('  != "debug" | logfmt').stages).toEqual([
      { kind: "line", op: "!=", value: "debug" },
      { kind: "logfmt" },
    ]);
    expect(parse("| json").stages).toEqual([{ kind: "json" }]);
  });

  it("takes a selector alone and parentheses around the query", () => {
    expect(parse('{app="x"}').stages).toEqual([]);
    expect(parse('({app="x"} | json)').stages).toEqual([{ kind: "json" }]);
  });

  it("takes numbers: ==, =, !=, <, <=, >, >=, negative, decimal, exponent", () => {
    const cases: [string, string, number][] = [
      ["a == 1", "==", 1],
      ["a = 1", "==", 1],
      ["a != 1.5", "!=", 1.5],
      ["a < -2", "<", -2],
      ["a <= +3", "<=", 3],
      ["a > 1e3", ">", 1000],
      ["a >= 0.25", ">=", 0.25],
    ];
    for (const [text, op, value] of cases) {
      expect(filterOf(`| json | ${text}`)).toEqual({
        kind: "number",
        label: "a",
        op,
        value,
        valueKind: "number",
      });
    }
  });

  it("takes durations in seconds, like Loki", () => {
    expect(filterOf("| json | d > 250ms")).toMatchObject({ value: 0.25, valueKind: "duration" });
    expect(filterOf("| json | d >= 1.5s")).toMatchObject({ value: 1.5, valueKind: "duration" });
    expect(filterOf("| json | d < 1h30m")).toMatchObject({ value: 5400, valueKind: "duration" });
    expect(filterOf("| json | d == 5us")).toMatchObject({ value: 5e-6, op: "==" });
    expect(filterOf("| json | d > 5µs")).toMatchObject({ value: 5e-6 });
    expect(filterOf("| json | d > 1d")).toMatchObject({ value: 86400 });
  });

  it("takes byte sizes", () => {
    expect(filterOf("| json | b > 2KB")).toMatchObject({ value: 2000, valueKind: "bytes" });
    expect(filterOf("| json | b > 2KiB")).toMatchObject({ value: 2048, valueKind: "bytes" });
    expect(filterOf("| json | b <= 1.5MB")).toMatchObject({ value: 1.5e6, valueKind: "bytes" });
    expect(filterOf("| json | b < 10B")).toMatchObject({ value: 10, valueKind: "bytes" });
  });

  it("takes string matchers in label filters", () => {
    expect(filterOf('| json | msg =~ "a.*"')).toEqual({
      kind: "string",
      label: "msg",
      op: "=~",
      value: "a.*",
    });
    expect(filterOf('| json | msg !~ "a.*"')).toMatchObject({ op: "!~" });
    expect(filterOf('| json | msg != ""')).toMatchObject({ op: "!=", value: "" });
    expect(filterOf('| json | __error__ = ""')).toMatchObject({ label: "__error__" });
  });

  it("gives and precedence over or; a comma means and; parentheses group", () => {
    expect(filterOf("| json | a > 1 or b > 2 and c > 3")).toMatchObject({
      kind: "or",
      left: { label: "a" },
      right: { kind: "and", left: { label: "b" }, right: { label: "c" } },
    });
    expect(filterOf("| json | (a > 1 or b > 2) and c > 3")).toMatchObject({
      kind: "and",
      left: { kind: "or" },
      right: { label: "c" },
    });
    expect(filterOf('| json | a > 1, b = "x"')).toMatchObject({
      kind: "and",
      left: { label: "a" },
      right: { label: "b" },
    });
  });

  it("takes label filters joined by a space as and, grouped as Loki's grammar groups them", () => {
    const a = { label: "a" };
    const b = { label: "b" };
    const c = { label: "c" };
    const d = { label: "d" };
    expect(filterOf('| json | a="1" b="2"')).toMatchObject({ kind: "and", left: a, right: b });
    // Loki's yacc grammar shifts: a space takes the whole rest of the stage as its right side
    expect(filterOf('| json | a="1" b="2" or c > 3')).toMatchObject({
      kind: "and",
      left: a,
      right: { kind: "or", left: b, right: c },
    });
    expect(filterOf('| json | c > 3 or a="1" b>=2')).toMatchObject({
      kind: "or",
      left: c,
      right: { kind: "and", left: a, right: { label: "b", op: ">=", value: 2 } },
    });
    expect(filterOf('| json | a="1" and b="2" or c=~"x.*" d > 250ms')).toMatchObject({
      kind: "or",
      left: { kind: "and", left: a, right: b },
      right: { kind: "and", left: c, right: { label: "d", valueKind: "duration" } },
    });
    expect(filterOf('| json | (a="1" b="2") or c="3"')).toMatchObject({
      kind: "or",
      left: { kind: "and", left: a, right: b },
      right: c,
    });
    expect(filterOf('| json | a="1" (b="2" or c="3") d!="4"')).toMatchObject({
      kind: "and",
      left: a,
      right: { kind: "and", left: { kind: "or" }, right: d },
    });
    const stages = parse('{app="x"} | json | a="1" b="2" | logfmt | c > 1 d < 2').stages;
    expect(stages.map((s) => s.kind)).toEqual(["json", "filter", "logfmt", "filter"]);
    expect(parse('| json | a="1" b="2"').text).toBe('| json | a="1" b="2"');
  });

  it("groups a comma as Loki does: its right side is the rest of the group (measured on 2.7.5)", () => {
    const a = { label: "a" };
    const b = { label: "b" };
    const c = { label: "c" };
    // Loki 2.7.5 counted `a="1", b="2" or c > 3` as a="1" and (b="2" or c > 3)
    expect(filterOf('| json | a="1", b="2" or c > 3')).toMatchObject({
      kind: "and",
      left: a,
      right: { kind: "or", left: b, right: c },
    });
    expect(filterOf('| json | c > 3 or a="1", b="2"')).toMatchObject({
      kind: "or",
      left: c,
      right: { kind: "and", left: a, right: b },
    });
    expect(filterOf('| json | a="1", b="2", c > 3 or a="2"')).toMatchObject({
      kind: "and",
      left: a,
      right: { kind: "and", left: b, right: { kind: "or", left: c, right: { label: "a" } } },
    });
    expect(filterOf('| json | (a="1", b="2") or c > 3')).toMatchObject({
      kind: "or",
      left: { kind: "and", left: a, right: b },
      right: c,
    });
    expect(filterOf('{x="a, b"} | json | a=",", b="2" or c > 3')).toMatchObject({
      kind: "and",
      left: { label: "a", value: "," },
      right: { kind: "or" },
    });
    expect(parse('| json | a="1", b="2" or c > 3').text).toBe('| json | a="1", b="2" or c > 3');
  });

  it("ends filters side by side at a line filter written after them without a pipe", () => {
    // Loki 2.7.5 reads `!= "x"` after a label filter as a line filter, as it does after any stage
    expect(parse('{app="x"} | json | c > 0 a="1" != "x" |~ "z"').stages).toMatchObject([
      { kind: "json" },
      { kind: "filter", expr: { kind: "and", left: { label: "c" }, right: { label: "a" } } },
      { kind: "line", op: "!=", value: "x" },
      { kind: "line", op: "|~", value: "z" },
    ]);
    expect(parse('| json | a != "1" b !~ "2" c > 1s !~ "z"').stages).toMatchObject([
      { kind: "json" },
      {
        kind: "filter",
        expr: {
          kind: "and",
          left: { label: "a", op: "!=" },
          right: { kind: "and", left: { label: "b", op: "!~" }, right: { label: "c" } },
        },
      },
      { kind: "line", op: "!~", value: "z" },
    ]);
  });

  it("rejects LogQL keywords as label names, where Loki 2.7.5's lexer does", () => {
    for (const word of ["by", "without", "or", "and", "unless"]) {
      for (const query of [
        `{${word}="x"}`,
        `{a="b"} | json | ${word} = "x"`,
        `| json | ${word} > 1s`,
      ]) {
        const at = query.search(new RegExp(`(?<![A-Za-z0-9_])${word}(?![A-Za-z0-9_])`));
        const { message, offset } = reject(query);
        expect({ query, message, offset }).toEqual({
          query,
          message: `'${word}' is a LogQL keyword: Loki cannot read it as a label name`,
          offset: at,
        });
      }
    }
    // the grammar rejects the other keywords itself
    expect(reject('| json | bool = "x"').offset).toBe(9);
    expect(reject('{offset="x"}').offset).toBe(1);
    // names that only start like a keyword, and function names, are labels on Loki
    expect(filterOf('| json | by_x = "1" byte > 1 ip = "x" duration > 1')).toMatchObject({
      kind: "and",
    });
  });

  it("still rejects what is not two label filters side by side, at the original offset", () => {
    expect(reject('| json | a="1" b').offset).toBe(15);
    expect(reject('| json foo="1"').offset).toBe(2);
    expect(reject('| json | a="1" b="2" c').offset).toBe(21);
    expect(reject('| json | a="1" b=~"(" ').message).toMatch(/invalid regular expression/);
    expect(reject('| json | a="1" b=~"(" ').offset).toBe(19); // at the "(" inside the string, where Go's error points
  });

  it("unquotes Go string escapes", () => {
    expect(parse('{a="q\\"x\\n\\t\\\\\\u00e9\\x41"}').selector?.[0]?.value).toBe('q"x\n\t\\éA');
  });

  it("ignores # comments", () => {
    expect(parse("| json # the fields\n| a > 1").stages).toHaveLength(2);
    expect(parse('{a="#not a comment"}').selector?.[0]?.value).toBe("#not a comment");
  });

  it("keeps a selector that is given when none is required", () => {
    expect(parse('{app="x"} | json', false).selector).toEqual([
      { label: "app", op: "=", value: "x" },
    ]);
  });
});

describe("parseLogQuery: rejected queries", () => {
  const unsupported: [string, string][] = [
    ['{a="b"} | line_format "{{.x}}"', "line_format"],
    ['{a="b"} | label_format x=y', "label_format"],
    ['{a="b"} | decolorize', "decolorize"],
    ['{a="b"} | drop x', "drop"],
    ['{a="b"} | keep x', "keep"],
    ['{a="b"} | unpack', "unpack"],
    ['{a="b"} | json x="y"', "json with parameters"],
    ['{a="b"} | logfmt x', "logfmt with parameters"],
    ['{a="b"} | logfmt --strict', "logfmt --strict"],
    ['{a="b"} | json | unwrap latency', "unwrap"],
    ['{a="b"} | json | distinct x', "distinct"],
  ];
  for (const [text, stage] of unsupported) {
    it(`names the unsupported stage: ${stage}`, () => {
      const { message, offset } = reject(text);
      expect(message).toContain(`unsupported LogQL stage '${stage}'`);
      expect(text.slice(offset)).toMatch(new RegExp(`^${stage.split(" ")[0]}`));
    });
  }

  it("rejects line filters it cannot evaluate", () => {
    expect(reject('{a="b"} |= ip("1.2.3.4")').message).toContain("ip(");
    expect(reject('{a="b"} |> "<_> x"').message).toContain("|>");
    expect(reject('{a="b"} !> "<_> x"').message).toContain("!>");
    const or = reject('{a="b"} |= "x" or "y"');
    expect(or.message).toContain("alternatives");
    expect(or.offset).toBe(15);
  });

  it("rejects ip() label filters", () => {
    expect(reject('{a="b"} | json | addr = ip("10.0.0.0/8")').message).toContain("ip(");
  });

  it("rejects metric queries", () => {
    for (const text of ['sum(count_over_time({a="b"}[5m]))', 'rate({a="b"}[1m])', "1 + 1"]) {
      const { message, offset } = reject(text);
      expect(message).toContain("metric queries are not supported");
      expect(offset).toBe(0);
    }
  });

  it("needs the selector when asked to", () => {
    const { message, offset } = reject("  | json", true);
    expect(message).toContain("needs a stream selector");
    expect(offset).toBe(2);
    expect(parse('{a="b"} | json', true).selector).toHaveLength(1);
  });

  it("points syntax errors at the first error in the original text", () => {
    const cases: [string, number, RegExp][] = [
      ["| json | status >= ", 19, /unexpected end/],
      ["| json | a > 1 and", 18, /unexpected end/],
      ['| json | msg = "x', 15, /unterminated string/],
      ["| json | b > 2kb", 14, /unexpected 'kb'/],
      ["{a='b'}", 3, /double quotes/],
      ["{}", 1, /syntax error/],
      ['| json | x == "y"', 14, /syntax error/],
      ["json", 0, /stream selector/],
    ];
    for (const [text, offset, message] of cases) {
      const error = reject(text);
      expect({ text, offset: error.offset }).toEqual({ text, offset });
      expect(error.message).toMatch(message);
    }
  });

  it("rejects an empty query", () => {
    expect(reject("").message).toBe("empty LogQL query");
    expect(reject("   # nothing\n").message).toBe("empty LogQL query");
  });

  it("rejects invalid regexes, pointing at the offending text in the string", () => {
    const cases: [string, string][] = [
      ['{a=~"("}', "("],
      ['| json | x =~ "[a-"', "[a-"],
      ['| json | x !~ "(?=lookahead)"', "(?="],
      ['|~ "(a)\\\\1"', "\\\\1"],
      ['|~ "\\x41\\u00e9\\\\Z"', "\\\\Z"],
      ["|~ `\\x{41}[[:foo:]]`", "[:foo:]"],
      ['|~ "x|a{1001}"', "{1001}"],
    ];
    for (const [text, offending] of cases) {
      const { message, offset } = reject(text);
      expect(message).toMatch(/invalid regular expression/);
      expect(text.slice(offset, offset + offending.length)).toBe(offending);
    }
  });

  it("accepts flags in the middle of a regex, as Go does", () => {
    expect(parseLogQuery('|~ "a(?i)b"', { requireSelector: false }).ok).toBe(true);
  });

  it("rejects bad string escapes", () => {
    expect(reject('{a="\\q"}').message).toMatch(/invalid escape/);
  });
});

describe("parseLogQuery: whole queries, every kind of stage together", () => {
  it("reads a selector, a line filter, a parser and nested label filters", () => {
    expect(
      parse(
        '{app="ctrl", env=~"prod|staging"} |= "x" | json | status >= 500 or (d > 250ms and msg != "ok")',
      ),
    ).toMatchObject({
      selector: [
        { label: "app", op: "=", value: "ctrl" },
        { label: "env", op: "=~", value: "prod|staging" },
      ],
      stages: [
        { kind: "line", op: "|=", value: "x" },
        { kind: "json" },
        {
          kind: "filter",
          expr: {
            kind: "or",
            left: { kind: "number", label: "status", op: ">=", value: 500, valueKind: "number" },
            right: {
              kind: "and",
              left: { kind: "number", label: "d", op: ">", value: 0.25, valueKind: "duration" },
              right: { kind: "string", label: "msg", op: "!=", value: "ok" },
            },
          },
        },
      ],
    });
  });

  it("reads byte sizes, negative decimals and escaped quotes without a selector", () => {
    expect(parse('| logfmt | b < 2048B | a == -1.5 | m !~ "a\\"b"')).toEqual({
      selector: null,
      stages: [
        { kind: "logfmt" },
        {
          kind: "filter",
          expr: { kind: "number", label: "b", op: "<", value: 2048, valueKind: "bytes" },
        },
        {
          kind: "filter",
          expr: { kind: "number", label: "a", op: "==", value: -1.5, valueKind: "number" },
        },
        { kind: "filter", expr: { kind: "string", label: "m", op: "!~", value: 'a"b' } },
      ],
      text: '| logfmt | b < 2048B | a == -1.5 | m !~ "a\\"b"',
    });
  });

  it("reads a regex line filter first, then a compound duration", () => {
    expect(parse('!~ "(?i)debug" | json | d <= 1h30m').stages).toEqual([
      { kind: "line", op: "!~", value: "(?i)debug" },
      { kind: "json" },
      {
        kind: "filter",
        expr: { kind: "number", label: "d", op: "<=", value: 5400, valueKind: "duration" },
      },
    ]);
  });

  it("reads durations in any unit as seconds", () => {
    expect(filterOf("| json | d > 0.25s")).toMatchObject({ value: 0.25, valueKind: "duration" });
    expect(filterOf("| json | d > 90m")).toMatchObject({ value: 5400, valueKind: "duration" });
  });

  it("finds where the query starts past comments, which may sit in strings", () => {
    expect(parse("# why\n  # and why\n| json").selector).toBeNull();
    expect(reject("# why\n| json", true).offset).toBe(6);
    expect(parse('{a="x\\"#"} # c\n| json').selector?.[0]?.value).toBe('x"#');
    expect(parse("{a=`#`} |= `x` # c").stages).toEqual([{ kind: "line", op: "|=", value: "x" }]);
  });
});
