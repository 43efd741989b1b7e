/**
 * What a line reader hands on: each line, without its line break, numbered
 * from 1, in bytes that hold a line break after every line (NewlineTerminated).
 */

declare const newlineTerminated: unique symbol;

/**
 * Bytes made of whole lines: each ends with "\n", the last one too, even
 * where the input's last line has none. Only withFinalNewline and wholeLines
 * make them, and the readers hand on lines from nothing else: a line's end
 * is always followed by its line break, so LineCutter looks for no other end.
 */
export type NewlineTerminated = Buffer & { readonly [newlineTerminated]: true };

/**
 * bytes[0, length), the last bytes of an input, as whole lines: when they do
 * not end with "\n", one is written at length (bytes must have room for it).
 */
export function withFinalNewline(bytes: Buffer, length: number): NewlineTerminated {
  if (length === 0 || bytes[length - 1] === 10) {
    return bytes.subarray(0, length) as NewlineTerminated;
  }
  if (length >= bytes.length) throw new Error("internal: no room for the last line's newline");
  bytes[length] = 10;
  return bytes.subarray(0, length + 1) as NewlineTerminated;
}

/** The whole lines of bytes[0, length): up to and with its last "\n" (empty when there is none). */
export function wholeLines(bytes: Buffer, length: number): NewlineTerminated {
  const end = length === 0 ? 0 : bytes.lastIndexOf(10, length - 1) + 1;
  return bytes.subarray(0, end) as NewlineTerminated;
}

/**
 * A line is buf[start, end): bytes without the line break, which follows at
 * end ("\r\n" or "\n"). buf is only valid during the call: the next bytes
 * are read into the same memory.
 */
export type LineHandler = (
  buf: NewlineTerminated,
  start: number,
  end: number,
  lineNo: number,
) => void;

export interface LineReaderEvents {
  onLine: LineHandler;
  /** a line over MAX_LINE_BYTES: its first bytes and its number */
  onLongLine?: (head: Buffer, lineNo: number) => void;
}

/**
 * The readers' last step: whole lines cut at each "\n" (a "\r" before it is
 * dropped) and handed to the events, numbered from 1.
 */
export class LineCutter {
  /** the lines handed on so far, long ones included */
  lineNo = 0;

  constructor(private readonly events: LineReaderEvents) {}

  /**
   * Hand on the lines of bytes that start at from (a line's start) or after
   * it, before stop; the position after the last one handed on.
   */
  cut(bytes: NewlineTerminated, from: number, stop: number): number {
    const onLine = this.events.onLine;
    let lineNo = this.lineNo;
    let start = from;
    while (start < stop) {
      const nl = bytes.indexOf(10, start);
      const end = nl > start && bytes[nl - 1] === 13 ? nl - 1 : nl;
      onLine(bytes, start, end, ++lineNo);
      start = nl + 1;
    }
    this.lineNo = lineNo;
    return start;
  }

  /** A line over MAX_LINE_BYTES, skipped: its first bytes go to onLongLine. */
  skipLongLine(head: Buffer): void {
    this.lineNo++;
    this.events.onLongLine?.(head, this.lineNo);
  }
}
