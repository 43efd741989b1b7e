/**
 * What Go's regexp (RE2 syntax, as Loki 2.7.5 runs it: built with Go 1.19)
 * says of each pattern: it rejects it, or it matches a subject or not.
 * regex.test.ts checks slo against this table; regex-loki.test.ts checks
 * the table itself against the real Loki, so every claim here about Go is
 * measured, not remembered.
 *
 * Line filters (`|~`) search anywhere in the line; label matchers (`=~`,
 * here `| json | v =~`) must match the whole value, as Loki wraps the
 * pattern in ^(?:...)$ once the pattern alone compiles.
 */

export type GoRegexCase =
  | { use: "line" | "label"; pattern: string; subject: string; matches: boolean; why: string }
  | { use: "line"; pattern: string; subject: string; group: string; why: string }
  | { use: "line" | "label"; pattern: string; rejectedAt: number; why: string };

const NESTS_TOO_DEEPLY = `${"(".repeat(1001)}a${")".repeat(1001)}`;

export const GO_REGEX_CASES: GoRegexCase[] = [
  // Go syntax that JavaScript writes differently or lacks
  { use: "line", pattern: "\\x{41}", subject: "xAx", matches: true, why: "\\x{hex}" },
  { use: "line", pattern: "\\x41", subject: "A", matches: true, why: "\\xHH" },
  { use: "line", pattern: "\\101", subject: "A", matches: true, why: "octal escape" },
  { use: "line", pattern: "\\pL", subject: "é", matches: true, why: "one-letter class" },
  { use: "line", pattern: "\\pL", subject: "1", matches: false, why: "one-letter class" },
  { use: "line", pattern: "\\PL", subject: "1", matches: true, why: "negated class" },
  { use: "line", pattern: "\\p{Greek}", subject: "α", matches: true, why: "script" },
  { use: "line", pattern: "\\p{Greek}", subject: "a", matches: false, why: "script" },
  { use: "line", pattern: "\\p{^Greek}", subject: "a", matches: true, why: "negated script" },
  { use: "line", pattern: "\\pN", subject: "٣", matches: true, why: "Unicode digits" },
  { use: "line", pattern: "[[:^alpha:]]", subject: "1", matches: true, why: "negated POSIX" },
  { use: "line", pattern: "[[:^alpha:]]", subject: "a", matches: false, why: "negated POSIX" },
  { use: "line", pattern: "[[:alpha:]]", subject: "é", matches: false, why: "POSIX is ASCII" },
  { use: "line", pattern: "[[:word:]]", subject: "_", matches: true, why: "[:word:]" },
  { use: "line", pattern: "[[:space:]]", subject: "\v", matches: true, why: "[:space:] has \\v" },
  { use: "line", pattern: "(?U)(?P<x>a+)", subject: "aaa", group: "a", why: "(?U) ungreedy" },
  { use: "line", pattern: "(?P<x>a+)", subject: "aaa", group: "aaa", why: "greedy" },
  { use: "line", pattern: "(?U)(?P<x>a+?)", subject: "aaa", group: "aaa", why: "(?U) swaps" },
  { use: "line", pattern: "a(?i)b", subject: "aB", matches: true, why: "flags mid-pattern" },
  { use: "line", pattern: "(?i:a)b", subject: "Ab", matches: true, why: "flag group" },
  { use: "line", pattern: "(?i:a)b", subject: "AB", matches: false, why: "flag group ends" },
  { use: "line", pattern: "\\Qa.b\\E", subject: "a.b", matches: true, why: "\\Q..\\E" },
  { use: "line", pattern: "\\Qa.b\\E", subject: "axb", matches: false, why: "\\Q..\\E" },
  { use: "line", pattern: "\\Qa.b", subject: "a.b", matches: true, why: "\\Q to the end" },
  { use: "line", pattern: "\\Aab\\z", subject: "ab", matches: true, why: "\\A \\z" },
  { use: "line", pattern: "a{,5}", subject: "a{,5}", matches: true, why: "{,n} is literal" },
  { use: "line", pattern: "a]b{", subject: "a]b{", matches: true, why: "stray ] { literal" },
  { use: "line", pattern: "a{1000}", subject: "a", matches: false, why: "1000 repeats allowed" },
  // \s \d \w \b are ASCII; . and classes work on characters (runes), not bytes
  { use: "line", pattern: "\\s", subject: "\t", matches: true, why: "\\s" },
  { use: "line", pattern: "\\s", subject: "\v", matches: false, why: "\\s has no \\v" },
  { use: "line", pattern: "\\s", subject: "\u00a0", matches: false, why: "\\s is ASCII" },
  { use: "line", pattern: "\\d", subject: "٣", matches: false, why: "\\d is ASCII" },
  { use: "line", pattern: "\\w", subject: "é", matches: false, why: "\\w is ASCII" },
  { use: "line", pattern: "^.$", subject: "é", matches: true, why: ". is a character" },
  { use: "line", pattern: "^..$", subject: "é", matches: false, why: ". is not a byte" },
  { use: "line", pattern: "^.$", subject: "😀", matches: true, why: ". is not UTF-16" },
  { use: "line", pattern: "^[^a]$", subject: "😀", matches: true, why: "class on a rune" },
  { use: "line", pattern: "^a.b$", subject: "a\rb", matches: true, why: ". matches \\r" },
  { use: "line", pattern: "^a.b$", subject: "a\u2028b", matches: true, why: ". matches U+2028" },
  { use: "line", pattern: "a.b", subject: "a\nb", matches: false, why: ". not \\n" },
  { use: "line", pattern: "(?s)a.b", subject: "a\nb", matches: true, why: "(?s)" },
  { use: "line", pattern: "a$", subject: "a\nb", matches: false, why: "$ is end of text" },
  { use: "line", pattern: "(?m)a$", subject: "a\nb", matches: true, why: "(?m)" },
  { use: "line", pattern: "(?i)k", subject: "\u212a", matches: true, why: "Unicode folding" },
  { use: "line", pattern: "(?i)é", subject: "É", matches: true, why: "Unicode folding" },
  // linear time: a backtracking engine takes minutes on this one
  {
    use: "line",
    pattern: "(a+)+$",
    subject: `${"a".repeat(30)}!`,
    matches: false,
    why: "no backtracking",
  },
  // what Go rejects, at the offset of the offending text
  { use: "line", pattern: "a\\Zb", rejectedAt: 1, why: "\\Z" },
  { use: "line", pattern: "\\C", rejectedAt: 0, why: "\\C (RE2's any byte)" },
  { use: "line", pattern: "x\\e", rejectedAt: 1, why: "\\e" },
  { use: "line", pattern: "x|a{1001}", rejectedAt: 3, why: "over 1000 repeats" },
  { use: "line", pattern: "(a{100}){100}", rejectedAt: 8, why: "nested repeats over 1000" },
  { use: "line", pattern: "ab(?<n>c)", rejectedAt: 2, why: "(?<name> is Go 1.22" },
  { use: "line", pattern: "(a)\\1", rejectedAt: 3, why: "backreference" },
  { use: "line", pattern: "\\8", rejectedAt: 0, why: "\\8" },
  { use: "line", pattern: "x(?=a)", rejectedAt: 1, why: "lookahead" },
  { use: "line", pattern: "(?<=a)b", rejectedAt: 0, why: "lookbehind" },
  { use: "line", pattern: "(?x)a", rejectedAt: 0, why: "no x flag" },
  { use: "line", pattern: "b[z-a]", rejectedAt: 2, why: "reversed range" },
  { use: "line", pattern: "ab[a", rejectedAt: 2, why: "missing ]" },
  { use: "line", pattern: "x**", rejectedAt: 1, why: "nested repetition" },
  { use: "line", pattern: "x{2}{3}", rejectedAt: 1, why: "nested repetition" },
  { use: "line", pattern: "x{2,1}", rejectedAt: 1, why: "min over max" },
  { use: "line", pattern: "a[[:foo:]]", rejectedAt: 2, why: "no such POSIX class" },
  { use: "line", pattern: "a\\p{Foo}", rejectedAt: 1, why: "no such Unicode class" },
  { use: "line", pattern: "(?P<a-b>x)", rejectedAt: 0, why: "bad group name" },
  {
    use: "line",
    pattern: "(?P<a>x)\\(?P<a>(?P<a>y)",
    subject: "x(P<a>y",
    matches: true,
    why: "one name, two groups",
  },
  { use: "line", pattern: NESTS_TOO_DEEPLY, rejectedAt: 0, why: "nests too deeply" },
  // label matchers match the whole value, wrapped as Loki wraps them
  { use: "label", pattern: "b", subject: "abc", matches: false, why: "whole value" },
  { use: "label", pattern: "a|abc", subject: "abc", matches: true, why: "alternatives" },
  { use: "label", pattern: ".*", subject: "a\nb", matches: false, why: ". not \\n" },
  { use: "label", pattern: "(?m)a$", subject: "a\nb", matches: false, why: "(?m) inside" },
  { use: "label", pattern: "a)|(b", rejectedAt: 0, why: "checked before wrapping" },
  { use: "label", pattern: "a\\Zb", rejectedAt: 1, why: "\\Z" },
  { use: "label", pattern: "ab[a", rejectedAt: 2, why: "missing ]" },
];
