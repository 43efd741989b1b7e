/**
 * The expressions of LogQL's `| pattern` and `| regexp` stages, read and
 * checked as Loki 2.7.5 checks them (pkg/logql/log/pattern and
 * NewRegexpParser), so a query slo accepts is one Loki accepts.
 */

import { compileLogQLRegex } from "./regex.js";

/** A run of literal text, or a capture: `<name>`, or `<_>` which captures nothing. */
export type PatternPart = { literal: string } | { capture: string };

/** The capture that skips text without naming it. */
export const UNNAMED_CAPTURE = "_";

export type ParsedExpression<T> = { ok: true } & T;
export type ExpressionError = { ok: false; message: string };

/** `<identifier>`, as Loki's pattern lexer reads one; anything else is literal text. */
const CAPTURE = /<([A-Za-z_][A-Za-z0-9_]*)>/g;

/**
 * A pattern expression as literal runs and captures. Refused as Loki refuses
 * it: no named capture, two captures side by side (nothing tells where one
 * ends), a name captured twice.
 */
export function parsePatternExpression(
  expression: string,
): ParsedExpression<{ parts: PatternPart[] }> | ExpressionError {
  const parts: PatternPart[] = [];
  let at = 0;
  for (const match of expression.matchAll(CAPTURE)) {
    if (match.index > at) parts.push({ literal: expression.slice(at, match.index) });
    parts.push({ capture: match[1]! });
    at = match.index + match[0].length;
  }
  if (at < expression.length) parts.push({ literal: expression.slice(at) });
  const problem = patternProblem(parts);
  return problem === null ? { ok: true, parts } : { ok: false, message: problem };
}

function patternProblem(parts: PatternPart[]): string | null {
  const names = patternNames(parts);
  if (names.length === 0) {
    return "a pattern needs at least one named capture, e.g. <status> (<_> captures nothing)";
  }
  for (let i = 1; i < parts.length; i++) {
    const [before, part] = [parts[i - 1]!, parts[i]!];
    if ("capture" in before && "capture" in part) {
      return `captures side by side (<${before.capture}><${part.capture}>): put literal text between them, so the pattern says where one ends`;
    }
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) return `'${twice}' is captured twice: give each capture its own name`;
  return null;
}

/** The names a pattern captures, in order (`<_>` left out). */
export function patternNames(parts: PatternPart[]): string[] {
  const names: string[] = [];
  for (const part of parts) {
    if ("capture" in part && part.capture !== UNNAMED_CAPTURE) names.push(part.capture);
  }
  return names;
}

/** A Prometheus label name, which Loki requires of every name a regexp extracts. */
const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The named groups of a `| regexp` expression, checked as Loki checks them:
 * at least one named group, each name a label name and used once (checked
 * first: the JavaScript engine refuses those in words of its own), and the
 * expression compiles.
 */
export function parseRegexpExpression(
  expression: string,
): ParsedExpression<{ names: string[] }> | ExpressionError {
  const angle = /\(\?<([A-Za-z0-9_]*)>/.exec(expression);
  if (angle) {
    return {
      ok: false,
      message: `write the named group as (?P<${angle[1]}>...): Loki 2.7.5's regexp (Go 1.19) refuses (?<${angle[1]}>...)`,
    };
  }
  const names = groupNames(expression);
  if (names.length === 0) {
    return {
      ok: false,
      message: "a regexp stage needs at least one named group, e.g. (?P<status>\\d{3})",
    };
  }
  const bad = names.find((name) => !LABEL_NAME.test(name));
  if (bad !== undefined) {
    return { ok: false, message: `'${bad}' is not a label name: start it with a letter or _` };
  }
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) return { ok: false, message: `'${twice}' is named twice` };
  try {
    compileLogQLRegex(expression, false);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, message: `invalid regular expression: ${reason}` };
  }
  return { ok: true, names };
}

/** The names of `(?P<name>` groups, skipping escapes and character classes. */
function groupNames(expression: string): string[] {
  const names: string[] = [];
  let inClass = false;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "\\") {
      i++;
    } else if (inClass) {
      if (c === "]") inClass = false;
    } else if (c === "[") {
      inClass = true;
      // a ] right after [ or [^ is a literal
      if (expression[i + 1] === "^") i++;
      if (expression[i + 1] === "]") i++;
    } else if (c === "(") {
      const named = /^\(\?P<([^>]*)>/.exec(expression.slice(i, i + 300));
      if (named) names.push(named[1]!);
    }
  }
  return names;
}
