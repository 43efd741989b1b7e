/**
 * `| pattern` and `| regexp` in a LogQL query: what is accepted (and the
 * tree), and what Loki 2.7.5 refuses (measured on the real Loki: a pattern
 * with two captures side by side, a repeated name or no named capture; a
 * regexp with no named group or a name that is no label name) refused at
 * load with the position.
 */

import { describe, expect, it } from "vitest";
import type { LogQuery } from "../../../src/definition/logql/ast.js";
import { parseLogQuery } from "../../../src/definition/logql/parse.js";
import { parsePatternExpression } from "../../../src/definition/logql/pattern.js";

function parse(text: string): LogQuery {
  const result = parseLogQuery(text, { requireSelector: false });
  if (!result.ok) throw new Error(`${text}: ${result.message} at ${result.offset}`);
  return result.query;
}

function reject(text: string): { message: string; offset: number } {
  const result = parseLogQuery(text, { requireSelector: false });
  if (result.ok) throw new Error(`accepted: ${text}`);
  return { message: result.message, offset: result.offset };
}

const NGINX = '<ip> - - <_> "<method> <path> <_>" <status> <_>';

describe("| pattern", () => {
  it("parses the access-log pattern into literals and captures", () => {
    const q = parse(`{app="web"} | pattern \`${NGINX}\` | status >= 500`);
    expect(q.stages[0]).toEqual({
      kind: "pattern",
      expression: NGINX,
      parts: [
        { capture: "ip" },
        { literal: " - - " },
        { capture: "_" },
        { literal: ' "' },
        { capture: "method" },
        { literal: " " },
        { capture: "path" },
        { literal: " " },
        { capture: "_" },
        { literal: '" ' },
        { capture: "status" },
        { literal: " " },
        { capture: "_" },
      ],
    });
    expect(q.stages[1]?.kind).toBe("filter");
  });

  it("reads the double-quoted form with escapes as Loki does", () => {
    const q = parse('| pattern "<ip> - - <_> \\"<method> <path> <_>\\" <status> <_>"');
    expect(q.stages[0]).toMatchObject({ kind: "pattern", expression: NGINX });
  });

  it("takes what is not <identifier> as literal text", () => {
    expect(parsePatternExpression("<a-b> <c> <>x<_y1>")).toEqual({
      ok: true,
      parts: [{ literal: "<a-b> " }, { capture: "c" }, { literal: " <>x" }, { capture: "_y1" }],
    });
  });

  const refused: [string, string][] = [
    ["<_> - <_>", "at least one named capture"],
    ["x y z", "at least one named capture"],
    ["<a><b>", "captures side by side"],
    ["<a> <a>", "'a' is captured twice"],
    ["", "at least one named capture"],
  ];
  for (const [expression, reason] of refused) {
    it(`refuses ${JSON.stringify(expression)} at the pattern: ${reason}`, () => {
      const text = `{a="b"} | pattern "${expression}"`;
      const { message, offset } = reject(text);
      expect(message).toContain(reason);
      expect(text.slice(offset)).toMatch(/^"/);
    });
  }
});

describe("| regexp", () => {
  it("keeps the expression and the names of its groups, (?P<name>) as Go writes them", () => {
    const q = parse(
      '{app="web"} | regexp "\\"(?P<method>\\\\w+) (?P<path>\\\\S+) [^\\"]*\\" (?P<status>\\\\d{3})"',
    );
    expect(q.stages[0]).toEqual({
      kind: "regexp",
      expression: '"(?P<method>\\w+) (?P<path>\\S+) [^"]*" (?P<status>\\d{3})',
      names: ["method", "path", "status"],
    });
  });

  it("ignores unnamed groups", () => {
    expect(parse("| regexp `(x)(?P<a>y)(?:z)[(?P<b>]`").stages[0]).toMatchObject({ names: ["a"] });
  });

  const refused: [string, string][] = [
    ["(x)", "at least one named group"],
    ["x", "at least one named group"],
    ["(?P<1a>x)", "'1a' is not a label name"],
    ["(?P<a>x)(?P<a>y)", "'a' is named twice"],
    ["(?P<a>x", "invalid regular expression"],
    // measured: Loki 2.7.5 answers 400 "invalid or unsupported Perl syntax: `(?<`"
    ["(?<a>x)", "write the named group as (?P<a>...)"],
  ];
  for (const [expression, reason] of refused) {
    it(`refuses ${JSON.stringify(expression)} at the expression: ${reason}`, () => {
      const text = `{a="b"} | regexp \`${expression}\``;
      const { message, offset } = reject(text);
      expect(message).toContain(reason);
      expect(text.slice(offset)).toMatch(/^`/);
    });
  }
});
