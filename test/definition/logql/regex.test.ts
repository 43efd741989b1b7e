/** LogQL regexes run as Go's regexp runs them: RE2 syntax, linear-time matching. */

import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { compileLogQLRegex } from "../../../src/definition/logql/regex.js";
import { GO_REGEX_CASES, type GoRegexCase } from "./regex-go-cases.js";

/** What slo says of a case, in the table's terms. */
function sloVerdict(c: GoRegexCase): GoRegexCase {
  try {
    const regex = compileLogQLRegex(c.pattern, c.use === "label");
    if ("group" in c) return { ...c, group: regex.exec(c.subject)?.groups.x ?? "(no match)" };
    return {
      use: c.use,
      pattern: c.pattern,
      subject: "subject" in c ? c.subject : "",
      matches: regex.test("subject" in c ? c.subject : ""),
      why: c.why,
    };
  } catch (error) {
    const offset = (error as { offset?: number }).offset;
    return { use: c.use, pattern: c.pattern, rejectedAt: offset ?? -1, why: c.why };
  }
}

describe("compileLogQLRegex: Go's syntax and matching", () => {
  it.each(
    GO_REGEX_CASES.map((c) => [`${c.use} ${JSON.stringify(c.pattern).slice(0, 40)}: ${c.why}`, c]),
  )(
    "%s",
    (_name, c) => {
      expect(sloVerdict(c)).toEqual(c);
    },
    10_000,
  );

  it("says what is wrong in Go's words", () => {
    expect(() => compileLogQLRegex("a\\Zb", false)).toThrow(/invalid escape sequence.*\\Z/);
    expect(() => compileLogQLRegex("a{1001}", false)).toThrow(/invalid repeat count.*\{1001\}/);
    expect(() => compileLogQLRegex("(?<n>a)", false)).toThrow(/\(\?P<name>/);
  });

  it("gives named groups of the leftmost match", () => {
    const match = compileLogQLRegex("(?P<code>5\\d\\d)", false).exec("status 503 then 504");
    expect(match).toEqual({ index: 7, text: "503", groups: { code: "503" } });
    expect(compileLogQLRegex("(?P<a>x)|(?P<b>y)", false).exec("y")?.groups).toEqual({
      a: undefined,
      b: "y",
    });
    expect(compileLogQLRegex("x", false).exec("y")).toBeNull();
  });
});

// ---------------------------------------------------------------------------
// On the syntax both engines share, with no backreferences or lookarounds,
// whether a pattern matches somewhere does not depend on how the engine
// searches: JavaScript's RegExp is then an obviously correct reference.

/** Subjects: letters the patterns use, a space, a newline (. and $ treat it specially). */
const subject = fc.string({ unit: fc.constantFrom("a", "b", "c", " ", "\n"), maxLength: 12 });

const atom = fc.oneof(
  fc.constantFrom("a", "b", "c", " ", ".", "[ab]", "[^a]", "[a-c]", "\\s", "\\w", "\\d", "^", "$"),
);

const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
  re: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    atom,
    fc.tuple(tie("re"), tie("re")).map(([a, b]) => `${a}${b}`),
    fc.tuple(tie("re"), tie("re")).map(([a, b]) => `${a}|${b}`),
    tie("re").map((a) => `(${a})`),
    tie("re").map((a) => `(?:${a})`),
    fc
      .tuple(tie("re"), fc.constantFrom("*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?"))
      .map(([a, q]) => `(?:${a})${q}`),
  ),
})).re;

describe("compileLogQLRegex: agrees with a reference on the shared syntax", () => {
  it("searches anywhere in a line like JavaScript's RegExp", () => {
    fc.assert(
      fc.property(pattern, subject, (p, s) => {
        expect(compileLogQLRegex(p, false).test(s)).toBe(new RegExp(p).test(s));
      }),
      { numRuns: 500 },
    );
  });

  it("matches whole values like JavaScript's RegExp wrapped in ^(?:...)$", () => {
    fc.assert(
      fc.property(pattern, subject, (p, s) => {
        expect(compileLogQLRegex(p, true).test(s)).toBe(new RegExp(`^(?:${p})$`).test(s));
      }),
      { numRuns: 500 },
    );
  });

  it("(?i) agrees with JavaScript's i flag on ASCII letters", () => {
    fc.assert(
      fc.property(
        pattern,
        fc.string({ unit: fc.constantFrom("a", "B", "c", "A"), maxLength: 8 }),
        (p, s) => {
          expect(compileLogQLRegex(`(?i)${p}`, false).test(s)).toBe(new RegExp(p, "i").test(s));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("compileLogQLRegex: plain text alternatives searched as text", () => {
  const letters = ["a", "B", "k", "S", "-", " ", '"', ":", "é", "."];
  const plain = fc.string({ unit: fc.constantFrom(...letters), maxLength: 4 });
  const alternatives = fc
    .tuple(fc.boolean(), fc.array(plain, { minLength: 1, maxLength: 3 }))
    .map(([ignoreCase, a]) => `${ignoreCase ? "(?i)" : ""}${a.join("|")}`);
  // the Kelvin sign and the long s fold to k and s in RE2; İ and ı fold to nothing ASCII
  const unusual = ["\u212a", "\u017f", "\u0130", "\u0131", "A", "b", "K", "s"];
  const text = fc.string({ unit: fc.constantFrom(...letters, ...unusual), maxLength: 10 });

  it("finds what the automaton finds, anywhere and as whole values", () => {
    fc.assert(
      fc.property(alternatives, text, (p, s) => {
        expect(compileLogQLRegex(p, false).test(s)).toBe(RE2JS.compile(p).test(s));
        expect(compileLogQLRegex(p, true).test(s)).toBe(RE2JS.compile(`^(?:${p})$`).test(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("folds the Kelvin sign and the long s as RE2 does", () => {
    expect(compileLogQLRegex("(?i)ok", false).test("O\u212a")).toBe(true);
    expect(compileLogQLRegex("(?i)ss", true).test("\u017fS")).toBe(true);
    expect(compileLogQLRegex("(?i)i", false).test("\u0130")).toBe(false);
  });
});
