/**
 * What LogQL's `| pattern` and `| regexp` stages extract from a line, as
 * Loki 2.7.5 does it (pkg/logql/log/pattern, RegexpParser), measured on the
 * real Loki:
 *
 * - pattern: a leading literal must start the line, else nothing is
 *   extracted; each capture then takes the text up to the first occurrence
 *   of the literal after it, and when that literal is missing the capture
 *   takes the rest of the line and matching stops (so the first capture of
 *   a line that does not match at all takes the whole line); a capture at
 *   the end takes the rest. An empty line extracts nothing.
 * - regexp: the leftmost match's named groups; a group that took no part in
 *   the match is extracted as "", and a line the regexp does not match
 *   extracts nothing.
 *
 * Neither ever fails a line or marks it with an error. A capture may be ""
 * (`<a> <b>` on "x "): it is then present, which a numeric filter tells
 * apart from missing.
 */

import type { TextParserStage } from "../../../definition/logql/ast.js";
import { type PatternPart, UNNAMED_CAPTURE } from "../../../definition/logql/pattern.js";
import { compileLogQLRegex, type LogQLRegex } from "../../../definition/logql/regex.js";

const NOTHING: ReadonlyMap<string, string> = new Map();

/** The labels a pattern extracts from a line. */
export function patternCaptures(parts: PatternPart[], line: string): Map<string, string> {
  const out = new Map<string, string>();
  if (line === "" || parts.length === 0) return out;
  let at = 0;
  let i = 0;
  const first = parts[0]!;
  if ("literal" in first) {
    if (!line.startsWith(first.literal)) return out;
    at = first.literal.length;
    i = 1;
  }
  // from here on: capture, literal, capture, ... (literal)?
  while (i < parts.length) {
    const capture = (parts[i] as { capture: string }).capture;
    const next = parts[i + 1] as { literal: string } | undefined;
    const end = next === undefined ? -1 : line.indexOf(next.literal, at);
    if (end < 0) {
      if (capture !== UNNAMED_CAPTURE) out.set(capture, line.slice(at));
      return out;
    }
    if (capture !== UNNAMED_CAPTURE) out.set(capture, line.slice(at, end));
    at = end + next!.literal.length;
    i += 2;
  }
  return out;
}

/** The labels a regexp's named groups extract from a line. */
export function regexpCaptures(re: LogQLRegex, line: string): Map<string, string> {
  const out = new Map<string, string>();
  const groups = re.exec(line)?.groups;
  if (groups === undefined) return out;
  for (const name in groups) out.set(name, groups[name] ?? "");
  return out;
}

/** A stage's extraction, remembered for the line it last read: total, bad and the timestamp share it. */
export class TextParser {
  private lastLine: string | null = null;
  private lastCaptures: ReadonlyMap<string, string> = NOTHING;
  private readonly extract: (line: string) => Map<string, string>;

  constructor(stage: TextParserStage) {
    if (stage.kind === "pattern") {
      const { parts } = stage;
      this.extract = (line) => patternCaptures(parts, line);
    } else {
      const re = compileLogQLRegex(stage.expression, false);
      this.extract = (line) => regexpCaptures(re, line);
    }
  }

  captures(line: string): ReadonlyMap<string, string> {
    if (line !== this.lastLine) {
      this.lastCaptures = this.extract(line);
      this.lastLine = line;
    }
    return this.lastCaptures;
  }
}

const parsers = new Map<string, TextParser>();

/** One TextParser per stage kind and expression in this thread, so a line is parsed once however many queries share the stage. */
export function textParser(stage: TextParserStage): TextParser {
  const key = `${stage.kind}\u0000${stage.expression}`;
  let parser = parsers.get(key);
  if (parser === undefined) {
    parser = new TextParser(stage);
    parsers.set(key, parser);
  }
  return parser;
}
