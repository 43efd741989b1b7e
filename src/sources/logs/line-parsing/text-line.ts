/**
 * A line that is not a JSON object, in a source whose time is read from the
 * line's text: access logs and other plain text. Queries read it with line
 * filters, `| pattern`, `| regexp` and `| logfmt`; `| json` extracts
 * nothing from it, and its only fields are the source's stream labels.
 */

import type { LineRecord } from "./line-record.js";
import { parseLogfmt } from "./logfmt.js";

export class TextLine implements LineRecord {
  private logfmt: Map<string, string> | null = null;

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

  logfmtLabel(name: string): string | undefined {
    this.logfmt ??= parseLogfmt(this.raw);
    return this.logfmt.get(name);
  }

  field(name: string): string | undefined {
    return Object.hasOwn(this.streamLabels, name) ? this.streamLabels[name] : undefined;
  }

  /** The time of a text line is read by its source's time reader (line-time.ts), never from a field. */
  timestamp(): number | null {
    return null;
  }
}

/** Whether text can be a JSON object at all: one starts with "{" after blanks. */
export function mayBeJsonObject(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 /* { */) return true;
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 0xfeff) return false;
  }
  return false;
}
