/**
 * How a source reads each line's time, from its timestamp option: a JSON
 * field in RFC 3339 or epoch numbers (the default), a JSON field written
 * in a Go layout (format), or a capture of a pattern or regexp run on the
 * line's text, in a Go layout or RFC 3339 / epoch numbers.
 */

import type { LogsSourceSpec } from "../../../definition/model.js";
import { compileTimeLayout, parseWithLayout } from "../../../definition/time-layout.js";
import type { LineRecord } from "./line-record.js";
import { textParser } from "./text-parsers.js";
import { timestampMs } from "./timestamp.js";

/** A line's time in epoch milliseconds, or null when it has none slo can read. */
export type LineTime = (line: LineRecord) => number | null;

/** The reader for a source; fieldId is the nameId of spec.timestamp. */
export function lineTimeReader(spec: LogsSourceSpec, fieldId: number): LineTime {
  const name = spec.timestamp;
  const fromText = valueReader(spec.timestampFormat);
  if (spec.timestampFrom !== undefined) {
    const parser = textParser(spec.timestampFrom);
    return (line) => {
      const value = parser.captures(line.text()).get(name);
      return value === undefined ? null : fromText(value);
    };
  }
  if (spec.timestampFormat !== undefined) {
    return (line) => {
      const value = line.field(name, fieldId);
      return value === undefined ? null : fromText(String(value));
    };
  }
  return (line) => line.timestamp(name, fieldId);
}

/** How one time text is read: with the layout the format names, else as RFC 3339 or epoch digits. */
function valueReader(format: string | undefined): (value: string) => number | null {
  if (format === undefined) return timestampMs;
  const layout = compileTimeLayout(format);
  // the format was checked when the file loaded
  if (!layout.ok) throw new Error(`internal: timestamp format ${format}: ${layout.message}`);
  const { chunks } = layout;
  return (value) => parseWithLayout(chunks, value);
}

/** Whether the source reads its lines' time from their text, so a line that is not JSON still counts. */
export function readsTimeFromText(spec: LogsSourceSpec): boolean {
  return spec.timestampFrom !== undefined;
}
