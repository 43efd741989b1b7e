/**
 * LogQL's regexes are Go's regexp (RE2 syntax, linear-time matching). slo
 * runs them on re2js, a JavaScript port of RE2/J, which is itself a port of
 * Go's regexp: the same parser, so the same syntax and the same errors, and
 * an automaton instead of backtracking, so no pattern takes exponential
 * time. Where Loki 2.7.5 (built with Go 1.19) differs from the port, this
 * file makes slo say what Loki says.
 */

import { RE2JS, RE2JSSyntaxException } from "re2js";

/** A compiled LogQL regex. */
export interface LogQLRegex {
  /** Whether it matches: the whole text for a label matcher, anywhere in it for a line filter. */
  test(text: string): boolean;
  /** The leftmost match and its named groups (undefined: the group took no part), or null. */
  exec(text: string): LogQLRegexMatch | null;
}

export interface LogQLRegexMatch {
  index: number;
  text: string;
  groups: Record<string, string | undefined>;
}

/** A pattern Go's regexp rejects; offset is where in the pattern the offending text starts. */
export class LogQLRegexError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Compile a LogQL regex. anchored: a label matcher (`=~`, `!~` on labels),
 * which must match the whole value; otherwise a line filter (`|~`, `!~`),
 * which matches anywhere. Throws a LogQLRegexError saying, in Go's words,
 * what is wrong and where.
 */
export function compileLogQLRegex(pattern: string, anchored: boolean): LogQLRegex {
  const re = compileAsGo(pattern);
  // Prometheus' matcher (Loki's =~) checks the pattern alone, then wraps it so.
  const whole = anchored ? RE2JS.compile(`^(?:${re.pattern()})$`) : re;
  return {
    test: literalAlternativesTest(pattern, anchored) ?? ((text) => whole.test(text)),
    exec: (text) => firstMatch(whole, text),
  };
}

/** Characters that are themselves in RE2 wherever they stand outside a class (ASCII only). */
const LITERAL_ALTERNATIVES =
  /^[A-Za-z0-9 _\-:=,;'"/<>@#%&~!`]*(?:\|[A-Za-z0-9 _\-:=,;'"/<>@#%&~!`]*)*$/;

/**
 * `error|timeout` and `(?i)error`, the most common line filters, are plain
 * text: searching for it finds what the automaton would, several times
 * faster (Loki simplifies such filters the same way). null for any other pattern.
 */
function literalAlternativesTest(
  pattern: string,
  anchored: boolean,
): ((text: string) => boolean) | null {
  const ignoreCase = pattern.startsWith("(?i)");
  const text = ignoreCase ? pattern.slice("(?i)".length) : pattern;
  if (!LITERAL_ALTERNATIVES.test(text)) return null;
  if (ignoreCase) return caseInsensitiveTest(text, anchored);
  const alternatives = text.split("|");
  if (anchored) return (value) => alternatives.includes(value);
  return (line) => alternatives.some((alternative) => line.includes(alternative));
}

/**
 * JavaScript's i flag without u folds ASCII letters as RE2 does and never
 * folds another character to an ASCII one, while RE2 folds the Kelvin sign
 * to k and the long s to s: text with a k or an s stays with the automaton.
 * The characters of LITERAL_ALTERNATIVES mean themselves in JavaScript too.
 */
function caseInsensitiveTest(text: string, anchored: boolean): ((line: string) => boolean) | null {
  if (/[ks]/i.test(text)) return null;
  const re = new RegExp(anchored ? `^(?:${text})$` : text, "i");
  return (line) => re.test(line);
}

const DUPLICATE_NAME = "duplicate capture group name";

/** The pattern compiled as Go compiles it, or a LogQLRegexError. */
function compileAsGo(pattern: string): RE2JS {
  const error = syntaxErrorOf(pattern);
  if (error === null) {
    rejectAngleBracketNames(pattern);
    return RE2JS.compile(pattern);
  }
  if (error.message.includes(DUPLICATE_NAME)) {
    const unnamed = withoutGroupNames(pattern);
    if (syntaxErrorOf(unnamed) === null) return RE2JS.compile(unnamed);
  }
  throw new LogQLRegexError(error.message, offsetOfSyntaxError(pattern, error));
}

function syntaxErrorOf(pattern: string): RE2JSSyntaxException | null {
  try {
    RE2JS.compile(pattern);
    return null;
  } catch (error) {
    if (error instanceof RE2JSSyntaxException) return error;
    throw error;
  }
}

/**
 * Where the offending text (Go names it, not its place) starts: the first
 * place it occurs at which the pattern up to it already fails the same way.
 * An earlier occurrence in a valid spot (inside \Q...\E, say) does not.
 * Errors about the whole pattern (nesting too deep) point at its start.
 */
function offsetOfSyntaxError(pattern: string, error: RE2JSSyntaxException): number {
  const offending = error.message.includes(DUPLICATE_NAME)
    ? `(?P<${error.input}>`
    : (error.input ?? "");
  if (offending === "") return 0;
  for (let at = pattern.indexOf(offending); at >= 0; at = pattern.indexOf(offending, at + 1)) {
    const prefixError = syntaxErrorOf(pattern.slice(0, at + offending.length));
    if (prefixError?.message === error.message) return at;
  }
  return 0;
}

/**
 * Where `opener` starts a group in the pattern, not literal text (escaped,
 * quoted, in a class): only there does a < added after it change whether
 * and how the pattern fails to compile.
 */
function groupsOpenedBy(pattern: string, opener: string): number[] {
  const before = syntaxErrorOf(pattern)?.message;
  const found: number[] = [];
  for (let at = pattern.indexOf(opener); at >= 0; at = pattern.indexOf(opener, at + 1)) {
    const end = at + opener.length;
    const disturbed = `${pattern.slice(0, end)}<${pattern.slice(end)}`;
    if (syntaxErrorOf(disturbed)?.message !== before) found.push(at);
  }
  return found;
}

/** Go took (?<name>...) for a named group only in Go 1.22; Loki 2.7.5's Go rejects it, the port does not. */
function rejectAngleBracketNames(pattern: string): void {
  const [first] = groupsOpenedBy(pattern, "(?<");
  if (first !== undefined) {
    throw new LogQLRegexError(
      "error parsing regexp: invalid or unsupported Perl syntax: `(?<`: write named groups as (?P<name>...), as Loki's Go reads them",
      first,
    );
  }
}

/**
 * Go allows two groups of one name, the port does not. Whether a pattern
 * matches does not depend on names: the groups lose theirs. (exec then
 * gives no named groups; Loki's own stages use names only in `| regexp`.)
 */
function withoutGroupNames(pattern: string): string {
  let out = pattern;
  for (const at of groupsOpenedBy(pattern, "(?P<").reverse()) {
    const close = out.indexOf(">", at);
    out = `${out.slice(0, at)}(${out.slice(close + 1)}`;
  }
  return out;
}

function firstMatch(re: RE2JS, text: string): LogQLRegexMatch | null {
  const found = re.exec(text) as (string[] & { index: number; groups?: object }) | null;
  if (found === null) return null;
  return {
    index: found.index,
    text: found[0]!,
    groups: { ...(found.groups as Record<string, string | undefined> | undefined) },
  };
}
