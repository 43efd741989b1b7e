/**
 * Lines of a plain file, or of a byte range of one, read with positioned
 * reads into one reused buffer. A range [from, to) owns the lines that
 * start in it, so ranges of one file can be read in parallel and every line
 * is read exactly once: a range skips the partial line it starts in and
 * finishes the line that crosses its end.
 */

import type { FileHandle } from "node:fs/promises";
import { MAX_LINE_BYTES } from "../../../limits.js";
import type { BufferProvider } from "./buffer-provider.js";
import {
  LineCutter,
  type LineReaderEvents,
  type NewlineTerminated,
  wholeLines,
  withFinalNewline,
} from "./line-events.js";
import { openRegularFile } from "./regular-file.js";

/** Bytes read at a time (a line longer than this is read again into a bigger buffer). */
export const RANGE_READ_BYTES = 4 * 1024 * 1024;

export interface ByteRange {
  from: number;
  /** exclusive; Infinity for "to the end of the file" */
  to: number;
}

export interface RangeReadOptions {
  /** where to read to (see BufferProvider) */
  buffers?: BufferProvider | undefined;
  /** the bytes of the lines done, so the ranges of a file add up to its size */
  onBytes?: ((n: number) => void) | undefined;
}

/**
 * Feed the lines starting in the range to events (numbered from 1 within
 * it); resolves to their number.
 */
export async function readRangeLines(
  path: string,
  range: ByteRange,
  events: LineReaderEvents,
  options: RangeReadOptions = {},
): Promise<number> {
  const file = await openRegularFile(path);
  const { buffers } = options;
  const lent = buffers?.takeReadBuffer(RANGE_READ_BYTES) ?? null;
  try {
    const buf = lent ?? Buffer.allocUnsafe(RANGE_READ_BYTES);
    return await new RangeReader(file, range, events, buf, options.onBytes).read();
  } finally {
    if (lent !== null) buffers?.giveBackReadBuffer(lent);
    await file.close();
  }
}

class RangeReader {
  private readonly lines: LineCutter;
  /** where the next read starts: a line's start */
  private pos: number;

  constructor(
    private readonly file: FileHandle,
    private readonly range: ByteRange,
    events: LineReaderEvents,
    private buf: Buffer,
    private readonly onBytes: ((n: number) => void) | undefined,
  ) {
    this.lines = new LineCutter(events);
    this.pos = range.from;
  }

  async read(): Promise<number> {
    if (this.range.from > 0 && !(await this.skipToFirstLine())) return 0;
    while (this.pos < this.range.to) {
      const { bytesRead } = await this.file.read(this.buf, 0, this.buf.length, this.pos);
      if (bytesRead === 0) break;
      if (bytesRead < this.buf.length) {
        // the end of the file, where the last line may have no "\n"
        this.handOn(withFinalNewline(this.buf, bytesRead), bytesRead);
        break;
      }
      // a line the buffer ends inside of is read again from its start
      const done = this.handOn(wholeLines(this.buf, bytesRead), bytesRead);
      if (done > 0) this.pos += done;
      else if (!(await this.makeRoomForLine())) break;
    }
    return this.lines.lineNo;
  }

  /**
   * The line in progress at from belongs to the range before: start after
   * it. false when no line starts in the range.
   */
  private async skipToFirstLine(): Promise<boolean> {
    const first = await findLineStart(this.file, this.range.from - 1, this.range.to, this.buf);
    if (first === null) return false;
    this.pos = first;
    return true;
  }

  /** Hand on the lines (read at pos) that start in the range; the bytes they take in the file. */
  private handOn(lines: NewlineTerminated, bytesRead: number): number {
    const stop = Math.min(lines.length, this.range.to - this.pos);
    // a newline added after the last line is not the file's
    const done = Math.min(this.lines.cut(lines, 0, stop), bytesRead);
    if (done > 0) this.onBytes?.(done);
    return done;
  }

  /**
   * No line ends in the whole buffer: a bigger one, or past MAX_LINE_BYTES
   * the line skipped (reported); false when the file ends inside it.
   */
  private async makeRoomForLine(): Promise<boolean> {
    if (this.buf.length < MAX_LINE_BYTES) {
      this.buf = Buffer.allocUnsafe(Math.min(this.buf.length * 2, MAX_LINE_BYTES));
      return true;
    }
    this.lines.skipLongLine(Buffer.from(this.buf.subarray(0, 1024)));
    const next = await findLineStart(
      this.file,
      this.pos + this.buf.length - 1,
      Number.POSITIVE_INFINITY,
      this.buf,
    );
    if (next === null) return false;
    this.onBytes?.(next - this.pos);
    this.pos = next;
    return true;
  }
}

/** The position after the first "\n" at or after at (before limit), or null when there is none. */
async function findLineStart(
  file: FileHandle,
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
