/**
 * A logs source's `timestamp` option: a JSON field's name (`timestamp: t`),
 * or how to find and read the time on each line:
 *
 *   timestamp:
 *     pattern: '<_> [<time>] <_>'   # or regexp: '\[(?P<time>[^\]]+)\]'; on the line's text
 *     field: time                   # the capture (or JSON field) holding it
 *     format: clf                   # a Go layout, or a name: clf, RFC3339, RFC1123, ...
 *
 * Read into the model (timestamp, timestampFormat, timestampFrom) and
 * written back by `slo convert`.
 */

import { DEFAULT_LOG_TIMESTAMP_FIELD } from "../defaults.js";
import type { TextParserStage } from "./logql/ast.js";
import { parsePatternExpression, parseRegexpExpression, patternNames } from "./logql/pattern.js";
import type { LogsSourceSpec } from "./model.js";
import type { Problem } from "./rules.js";
import { compileTimeLayout } from "./time-layout.js";

/** The option as written in YAML. */
export type TimestampOption =
  | string
  | {
      field?: string | undefined;
      format?: string | undefined;
      pattern?: string | undefined;
      regexp?: string | undefined;
    }
  | undefined;

export type LogTimestamp = Pick<LogsSourceSpec, "timestamp" | "timestampFormat" | "timestampFrom">;

/** The format that means "RFC 3339 or epoch numbers, told apart by their shape": today's default. */
export const AUTO_FORMAT = "auto";

/**
 * The option mapped to the model, and its problems under the option's path.
 * With problems, the value is the field alone, so the source still exists
 * and the file's other errors are about what is really wrong.
 */
export function readLogTimestamp(option: TimestampOption): {
  value: LogTimestamp;
  problems: Problem[];
} {
  if (option === undefined) {
    return { value: { timestamp: DEFAULT_LOG_TIMESTAMP_FIELD }, problems: [] };
  }
  if (typeof option === "string") return { value: { timestamp: option }, problems: [] };
  const problems: Problem[] = [];
  const format =
    option.format === undefined || option.format === AUTO_FORMAT ? undefined : option.format;
  if (format !== undefined) {
    const layout = compileTimeLayout(format);
    if (!layout.ok) problems.push({ at: ["format"], message: layout.message });
  }
  const from = textParserOf(option, problems);
  const field = option.field ?? defaultField(from);
  if (field === undefined) {
    problems.push({
      message: "say which capture holds the time: field: <name>",
      hint: `the ${from?.kind} captures ${captureNames(from!).join(", ")}`,
    });
  } else if (from && !captureNames(from).includes(field)) {
    problems.push({
      at: ["field"],
      message: `the ${from.kind} has no capture '${field}' (it captures ${captureNames(from).join(", ")})`,
    });
  }
  if (problems.length > 0) {
    return { value: { timestamp: field ?? DEFAULT_LOG_TIMESTAMP_FIELD }, problems };
  }
  return { value: { timestamp: field!, timestampFormat: format, timestampFrom: from }, problems };
}

function textParserOf(
  option: Exclude<TimestampOption, string | undefined>,
  problems: Problem[],
): TextParserStage | undefined {
  if (option.pattern !== undefined && option.regexp !== undefined) {
    problems.push({ message: "give pattern or regexp, not both", key: "regexp" });
    return undefined;
  }
  if (option.pattern !== undefined) {
    const parsed = parsePatternExpression(option.pattern);
    if (parsed.ok) return { kind: "pattern", expression: option.pattern, parts: parsed.parts };
    problems.push({ at: ["pattern"], message: `pattern ${parsed.message}` });
  }
  if (option.regexp !== undefined) {
    const parsed = parseRegexpExpression(option.regexp);
    if (parsed.ok) return { kind: "regexp", expression: option.regexp, names: parsed.names };
    problems.push({ at: ["regexp"], message: `regexp ${parsed.message}` });
  }
  return undefined;
}

function captureNames(from: TextParserStage): string[] {
  return from.kind === "pattern" ? patternNames(from.parts) : from.names;
}

/** Without a pattern or regexp: the default field; with one: its capture, when it has only one. */
function defaultField(from: TextParserStage | undefined): string | undefined {
  if (from === undefined) return DEFAULT_LOG_TIMESTAMP_FIELD;
  const names = captureNames(from);
  return names.length === 1 ? names[0] : undefined;
}

/** The option to write for a source: the plain field name when that says it all. */
export function timestampOptionOf(spec: LogTimestamp): TimestampOption {
  if (spec.timestampFormat === undefined && spec.timestampFrom === undefined) {
    return spec.timestamp === DEFAULT_LOG_TIMESTAMP_FIELD ? undefined : spec.timestamp;
  }
  return {
    ...(spec.timestampFrom ? { [spec.timestampFrom.kind]: spec.timestampFrom.expression } : {}),
    field: spec.timestamp,
    ...(spec.timestampFormat ? { format: spec.timestampFormat } : {}),
  };
}
