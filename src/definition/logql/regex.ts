/**
 * LogQL's regexes are RE2 (Go's regexp); slo runs them as JavaScript RegExps.
 * The translator rewrites what the two write differently and rejects what RE2
 * does not have, so a query that works here works on Loki too.
 */

/** Matches only at the start of the text, whatever the flags (RE2's \A). */
const TEXT_START = "(?<![\\s\\S])";
/** Matches only at the end of the text, whatever the flags (RE2's \z). */
const TEXT_END = "(?![\\s\\S])";

/**
 * Compile an RE2 pattern (the syntax Loki uses) as a JavaScript RegExp.
 * anchored: match the whole value (label matchers, as Loki and Prometheus
 * do); otherwise search anywhere (line filters). Translates what differs:
 * leading (?flags), (?P<name>, \A \z, \Q..\E, [[:class:]]; rejects what RE2
 * does not have (lookarounds, backreferences) so a query works on Loki too.
 * Throws an Error saying what is wrong.
 */
export function compileLogQLRegex(pattern: string, anchored: boolean): RegExp {
  const { flags, body } = splitLeadingFlags(pattern);
  const translated = translateRe2(body);
  const source = anchored ? matchingWholeText(translated, flags.includes("m")) : translated;
  try {
    return new RegExp(source, `${flags}u`);
  } catch {
    // Legacy (non-unicode) mode is more lenient, like RE2 about stray { and ].
    return new RegExp(source, flags);
  }
}

/** RE2's leading (?flags) as JavaScript flags: only i, s and m mean the same in both. */
function splitLeadingFlags(pattern: string): { flags: string; body: string } {
  const leading = /^\(\?([a-zA-Z]+)\)/.exec(pattern);
  if (!leading) return { flags: "", body: pattern };
  let flags = "";
  for (const flag of leading[1]!) {
    if (flag !== "i" && flag !== "s" && flag !== "m") {
      throw new Error(`flag '${flag}' is not supported`);
    }
    if (!flags.includes(flag)) flags += flag;
  }
  return { flags, body: pattern.slice(leading[0].length) };
}

/** With the m flag ^ and $ match at every line, so the whole text is bounded by lookarounds. */
function matchingWholeText(translated: string, multiline: boolean): string {
  return multiline ? `${TEXT_START}(?:${translated})${TEXT_END}` : `^(?:${translated})$`;
}

// ---------------------------------------------------------------------------
// The translator: a scan that is inside a character class or not, with one
// step per character that needs rewriting in that state.

/** What a step wrote, where the scan goes on, and whether it is then in a class. */
interface Translated {
  text: string;
  next: number;
  inClass: boolean;
}

type Step = (pattern: string, at: number, inClass: boolean) => Translated;

const STEPS_OUTSIDE_CLASS = new Map<string, Step>([
  ["\\", translateEscape],
  ["[", openClass],
  ["(", translateGroupStart],
]);

const STEPS_IN_CLASS = new Map<string, Step>([
  ["\\", translateEscape],
  ["[", translateBracketInClass],
  ["]", closeClass],
]);

function translateRe2(pattern: string): string {
  let out = "";
  let at = 0;
  let inClass = false;
  while (at < pattern.length) {
    const steps = inClass ? STEPS_IN_CLASS : STEPS_OUTSIDE_CLASS;
    const step: Step = steps.get(pattern[at]!) ?? copyCharacter;
    const translated: Translated = step(pattern, at, inClass);
    out += translated.text;
    at = translated.next;
    inClass = translated.inClass;
  }
  if (inClass) throw new Error("missing closing ]");
  return out;
}

function copyCharacter(pattern: string, at: number, inClass: boolean): Translated {
  return { text: pattern[at]!, next: at + 1, inClass };
}

// Escapes -------------------------------------------------------------------

/** Punctuation JS needs escaped in a unicode-mode pattern; RE2 lets any punctuation be escaped. */
const JS_SYNTAX_CHARS = new Set("^$\\.*+?()[]{}|/");

/** Escapes that mean something else in JavaScript, outside classes. */
const TEXT_ANCHOR_ESCAPES = new Map([
  ["A", TEXT_START],
  ["z", TEXT_END],
]);

function translateEscape(pattern: string, at: number, inClass: boolean): Translated {
  const escaped = pattern[at + 1];
  if (escaped === undefined) throw new Error("trailing backslash");
  if (escaped === "Q") return quoteLiteralText(pattern, at + 2, inClass);
  return { text: translateEscapedCharacter(escaped, inClass), next: at + 2, inClass };
}

function translateEscapedCharacter(escaped: string, inClass: boolean): string {
  if (!inClass) {
    const anchor = TEXT_ANCHOR_ESCAPES.get(escaped);
    if (anchor !== undefined) return anchor;
    if (escaped >= "1" && escaped <= "9") {
      throw new Error("backreferences are not supported by RE2");
    }
  }
  // Letters and digits stay escapes: \d \w \s \b \x41 read the same in both.
  if (/[A-Za-z0-9]/.test(escaped)) return `\\${escaped}`;
  if (JS_SYNTAX_CHARS.has(escaped) || (inClass && escaped === "-")) return `\\${escaped}`;
  // Other punctuation is escaped in RE2 for nothing; JS's unicode mode rejects that.
  return escaped;
}

/** \Q...\E (or to the end): every character in it taken literally. */
function quoteLiteralText(pattern: string, from: number, inClass: boolean): Translated {
  const end = pattern.indexOf("\\E", from);
  const literal = pattern.slice(from, end < 0 ? undefined : end);
  return {
    text: literal.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&"),
    next: end < 0 ? pattern.length : end + 2,
    inClass,
  };
}

// Groups --------------------------------------------------------------------

/** `(`: named groups are written (?<name> in JS; lookarounds and inline flags are errors. */
function translateGroupStart(pattern: string, at: number): Translated {
  if (pattern[at + 1] === "?") {
    const rest = pattern.slice(at + 2);
    if (rest.startsWith("P<")) return { text: "(?<", next: at + 4, inClass: false };
    if (/^(?:=|!|<=|<!)/.test(rest)) throw new Error("lookaround is not supported by RE2");
    if (/^[a-zA-Z-]+[:)]/.test(rest)) {
      throw new Error("inline flags are only supported at the start, e.g. (?i)error");
    }
  }
  return { text: "(", next: at + 1, inClass: false };
}

// Character classes ---------------------------------------------------------

const POSIX_CLASSES: Record<string, string> = {
  alnum: "0-9A-Za-z",
  alpha: "A-Za-z",
  ascii: "\\x00-\\x7F",
  blank: "\\t ",
  cntrl: "\\x00-\\x1F\\x7F",
  digit: "0-9",
  graph: "!-~",
  lower: "a-z",
  print: " -~",
  punct: "!-\\/:-@\\[-`{-~",
  space: "\\t\\n\\v\\f\\r ",
  upper: "A-Z",
  word: "0-9A-Za-z_",
  xdigit: "0-9A-Fa-f",
};

/** `[` or `[^`; a ] right after it is a literal in RE2. */
function openClass(pattern: string, at: number): Translated {
  let text = "[";
  let next = at + 1;
  if (pattern[next] === "^") {
    text += "^";
    next++;
  }
  if (pattern[next] === "]") {
    text += "\\]";
    next++;
  }
  return { text, next, inClass: true };
}

function closeClass(_pattern: string, at: number): Translated {
  return { text: "]", next: at + 1, inClass: false };
}

/** `[` in a class: a POSIX class [:name:], or a literal [ (which JS wants escaped). */
function translateBracketInClass(pattern: string, at: number): Translated {
  const posix = pattern[at + 1] === ":" ? translatePosixClass(pattern, at) : null;
  return posix ?? { text: "\\[", next: at + 1, inClass: true };
}

/** [:name:] as its ranges, or null when it is not one (then the [ is a literal). */
function translatePosixClass(pattern: string, at: number): Translated | null {
  const end = pattern.indexOf(":]", at + 2);
  const name = end < 0 ? "" : pattern.slice(at + 2, end);
  const negated = name.startsWith("^");
  const key = negated ? name.slice(1) : name;
  // own keys only: [[:constructor:]] is no class, whatever Object.prototype holds
  const ranges = Object.hasOwn(POSIX_CLASSES, key) ? POSIX_CLASSES[key] : undefined;
  if (ranges === undefined) return null;
  if (negated) throw new Error(`negated class [:${name}:] is not supported`);
  return { text: ranges, next: end + 2, inClass: true };
}
