/**
 * What a log line offers the queries (LineView) and slo itself (LineRecord),
 * and the line parsed the straightforward way (JSON.parse): ParsedLine. A
 * faster reader must give exactly the same answers.
 */

import { parseGoFloat } from "../../../definition/logql/literals.js";
import {
  type JsonObject,
  type JsonText,
  jsonScalarText,
  readJsonText,
  sanitizeLabelKey,
} from "./json-fields.js";
import { type Logfmt, readLogfmt } from "./logfmt.js";
import { timestampMs } from "./timestamp.js";

/**
 * One log line as the evaluator sees it. Implementations compute each part
 * only when asked. A name may come with its nameId, which a reader can use
 * to find it without hashing the name on every line.
 */
export interface LineView {
  /** the raw line, without its line break */
  text(): string;
  /** a label `| json` would extract from this line (flattened, sanitised name) */
  jsonLabel(name: string, id?: number): string | undefined;
  /** (jsonLabel(name) ?? "") === value; `bytes` is value in UTF-8, for readers that compare bytes */
  jsonLabelIs(name: string, value: string, bytes: Buffer, id?: number): boolean;
  /** parseGoFloat(jsonLabel(name)), null when missing or not a number */
  jsonLabelNumber(name: string, id?: number): number | null;
  /** a label `| logfmt` would extract from this line */
  logfmtLabel(name: string): string | undefined;
  /** whether the line is a JSON object: else `| json` fails on it (JSONParserErr) */
  isJsonObject(): boolean;
  /** why `| logfmt` fails on this line (LogfmtParserErr's details), or null */
  logfmtError(): string | null;
}

/** A line plus the fields slo itself reads: the timestamp, the latency field, the breakdown field. */
export interface LineRecord extends LineView {
  /**
   * A field of the event: the top-level key of that exact name when its value
   * is a string, number or boolean (numbers stay numbers), else the label
   * `| json` would extract under that name (so nested a_b and sanitised names
   * work), else the source's stream label. undefined when none has it.
   */
  field(name: string, id?: number): string | number | undefined;
  /**
   * field(name) as text: a number as it is written in the line ("1.0",
   * "12345678901234567890"), which is what a breakdown shows and groups by
   */
  fieldText(name: string, id?: number): string | undefined;
  /** timestampMs(field(name)), which a reader may find faster */
  timestamp(name: string, id?: number): number | null;
}

export class ParsedLine implements LineRecord {
  private json: JsonText | null = null;
  private logfmt: Logfmt | null = null;

  constructor(
    private readonly raw: string,
    private readonly object: JsonObject,
    private readonly streamLabels: Record<string, string>,
  ) {}

  text(): string {
    return this.raw;
  }

  jsonLabel(name: string): string | undefined {
    return this.jsonText().flat.get(name);
  }

  jsonLabelIs(name: string, value: string): boolean {
    return (this.jsonLabel(name) ?? "") === value;
  }

  jsonLabelNumber(name: string): number | null {
    const text = this.jsonLabel(name);
    return text === undefined ? null : parseGoFloat(text);
  }

  logfmtLabel(name: string): string | undefined {
    this.logfmt ??= readLogfmt(this.raw);
    return this.logfmt.labels.get(name);
  }

  logfmtError(): string | null {
    this.logfmt ??= readLogfmt(this.raw);
    return this.logfmt.error;
  }

  isJsonObject(): boolean {
    return true;
  }

  timestamp(name: string): number | null {
    return timestampMs(this.field(name));
  }

  fieldText(name: string): string | undefined {
    const value = this.field(name);
    if (typeof value !== "number") return value;
    return this.jsonText().topNumbers.get(name) ?? String(value);
  }

  /** The line read in order, numbers as written (JSON.parse keeps neither). */
  private jsonText(): JsonText {
    this.json ??= readJsonText(this.raw);
    return this.json;
  }

  field(name: string): string | number | undefined {
    if (Object.hasOwn(this.object, name)) {
      const value = this.object[name];
      if (typeof value === "number") return value;
      const text = jsonScalarText(value);
      if (text !== undefined) return text;
    }
    return (
      this.jsonLabel(name) ??
      (Object.hasOwn(this.streamLabels, name) ? this.streamLabels[name] : undefined)
    );
  }
}

/**
 * A line that is not a JSON object: `| json` fails on it, and its fields
 * (the timestamp, a breakdown) are what `| logfmt` reads from it, then the
 * source's stream labels.
 */
export class TextLine implements LineRecord {
  private logfmt: Logfmt | null = null;

  constructor(
    private readonly raw: string,
    private readonly streamLabels: Record<string, string>,
  ) {}

  text(): string {
    return this.raw;
  }

  jsonLabel(): string | undefined {
    return undefined;
  }

  jsonLabelIs(_name: string, value: string): boolean {
    return value === "";
  }

  jsonLabelNumber(): number | null {
    return null;
  }

  isJsonObject(): boolean {
    return false;
  }

  logfmtLabel(name: string): string | undefined {
    return this.logfmtRead().labels.get(name);
  }

  logfmtError(): string | null {
    return this.logfmtRead().error;
  }

  field(name: string): string | undefined {
    const value = this.logfmtRead().labels.get(sanitizeLabelKey(name, true));
    if (value !== undefined) return value;
    return Object.hasOwn(this.streamLabels, name) ? this.streamLabels[name] : undefined;
  }

  fieldText(name: string): string | undefined {
    return this.field(name);
  }

  timestamp(name: string): number | null {
    return timestampMs(this.field(name));
  }

  private logfmtRead(): Logfmt {
    this.logfmt ??= readLogfmt(this.raw);
    return this.logfmt;
  }
}

/** The line as a JSON object, or null when it is not one. */
export function parseJsonObject(text: string): JsonObject | null {
  // most lines that are not JSON (logfmt, plain text) are told at once, without an exception
  if (!startsLikeAnObject(text)) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as JsonObject)
    : null;
}

function startsLikeAnObject(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) return c === 123; /* { */
  }
  return false;
}
