/**
 * Lines of a plain file, or of a byte range of one, read with positioned
 * reads into one reused buffer. A range [from, to) owns the lines that
 * start in it, so ranges of one file can be read in parallel and every line
 * is read exactly once: a range skips the partial line it starts in and
 * finishes the line that crosses its end.
 */

import { open } from "node:fs/promises";
import { jsonTokenizer, READ_BUFFER_BYTES } from "../fast-path/json-tokenizer.js";
import { type LineReaderEvents, MAX_LINE_BYTES } from "./line-events.js";

export interface ByteRange {
  from: number;
  /** exclusive; Infinity for "to the end of the file" */
  to: number;
}

/**
 * Feed the lines starting in the range to events (numbered from 1 within
 * it); resolves to their number. onBytes: the bytes of the lines done, so
 * the ranges of a file add up to its size.
 */
export async function readRangeLines(
  path: string,
  range: ByteRange,
  events: LineReaderEvents,
  onBytes?: (n: number) => void,
): Promise<number> {
  const file = await open(path, "r");
  // read where the fast path's tokenizer sees the lines without a copy
  const tokenizer = jsonTokenizer();
  const shared = tokenizer?.takeReadBuffer() ?? null;
  try {
    let buf = shared ?? Buffer.allocUnsafe(READ_BUFFER_BYTES);
    let lineNo = 0;
    let pos = range.from;
    if (range.from > 0) {
      // the line in progress at from belongs to the range before
      const first = await findLineStart(file, range.from - 1, range.to, buf);
      if (first === null) return 0;
      pos = first;
    }
    while (pos < range.to) {
      const { bytesRead } = await file.read(buf, 0, buf.length, pos);
      if (bytesRead === 0) break;
      const eof = bytesRead < buf.length;
      // a last line without "\n" still ends before a line break (JsonExtractor.scan relies on it)
      if (eof) buf[bytesRead] = 10;
      let start = 0;
      while (start < bytesRead && pos + start < range.to) {
        let nl = buf.indexOf(10, start);
        if (nl >= bytesRead) nl = -1;
        if (nl < 0 && !eof) break; // a partial line: read again from its start
        const lineEnd = nl < 0 ? bytesRead : nl;
        const end = lineEnd > start && buf[lineEnd - 1] === 13 ? lineEnd - 1 : lineEnd;
        lineNo++;
        events.onLine(buf, start, end, lineNo);
        start = nl < 0 ? bytesRead : nl + 1;
      }
      // progress counts the bytes of whole lines, so a partial line read twice counts once
      if (start > 0) onBytes?.(start);
      if (eof && (start >= bytesRead || pos + start >= range.to)) break;
      if (start === 0) {
        // one line fills the whole buffer
        if (buf.length >= MAX_LINE_BYTES) {
          lineNo++;
          events.onLongLine?.(Buffer.from(buf.subarray(0, 1024)), lineNo);
          const next = await findLineStart(
            file,
            pos + buf.length - 1,
            Number.POSITIVE_INFINITY,
            buf,
          );
          if (next === null) break;
          onBytes?.(next - pos);
          pos = next;
          continue;
        }
        buf = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_LINE_BYTES));
        continue;
      }
      pos += start;
    }
    return lineNo;
  } finally {
    if (shared) tokenizer?.giveBackReadBuffer(shared);
    await file.close();
  }
}

/** The position after the first "\n" at or after at (before limit), or null when there is none. */
async function findLineStart(
  file: Awaited<ReturnType<typeof open>>,
  at: number,
  limit: number,
  buf: Buffer,
): Promise<number | null> {
  let pos = at;
  while (pos < limit) {
    const { bytesRead } = await file.read(buf, 0, buf.length, pos);
    if (bytesRead === 0) return null;
    const nl = buf.subarray(0, bytesRead).indexOf(10);
    if (nl >= 0) {
      const start = pos + nl + 1;
      return start < limit ? start : null;
    }
    pos += bytesRead;
  }
  return null;
}
