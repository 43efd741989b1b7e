/** What a line reader hands on: each line, without its line break, numbered from 1. */

/**
 * A line is buf[start, end): bytes without the line break. buf is only
 * valid during the call: the next chunk is read into the same memory.
 */
export type LineHandler = (buf: Buffer, start: number, end: number, lineNo: number) => void;

/**
 * A line longer than this is not held whole: it is reported to onLongLine
 * (as malformed, by the caller) and skipped, so one bad file cannot take
 * all the memory.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface LineReaderEvents {
  onLine: LineHandler;
  /** a line over MAX_LINE_BYTES: its first bytes and its number */
  onLongLine?: (head: Buffer, lineNo: number) => void;
}
