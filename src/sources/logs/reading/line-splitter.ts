/**
 * Lines out of a stream of bytes, split at the byte level ("\n"; a "\r"
 * before it is dropped, the last line needs no newline). Only the current
 * chunk and one partial line are held, never the file.
 */

import { jsonTokenizer } from "../fast-path/json-tokenizer.js";
import { type LineReaderEvents, MAX_LINE_BYTES } from "./line-events.js";

/** Feed every line of the chunks to onLine; resolves to the number of lines. */
export async function readLines(
  chunks: AsyncIterable<Buffer>,
  events: LineReaderEvents,
): Promise<number> {
  const splitter = new LineSplitter(events);
  try {
    for await (const chunk of chunks) splitter.push(chunk);
    return splitter.end();
  } finally {
    splitter.release();
  }
}

/** Splits pushed chunks into lines; end() flushes the last line. */
export class LineSplitter {
  private partial: Buffer | null = null;
  private skippingLongLine = false;
  private lineNo = 0;
  private readBuffer: Buffer | null = null;
  private triedReadBuffer = false;

  constructor(private readonly events: LineReaderEvents) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.partial !== null || this.skippingLongLine) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.appendPartial(chunk);
        return;
      }
      if (this.skippingLongLine) {
        this.skippingLongLine = false;
      } else {
        const line = Buffer.concat([this.partial!, chunk.subarray(0, nl)]);
        this.partial = null;
        this.emit(line, 0, line.length);
      }
      start = nl + 1;
    }
    const { onLine } = this.events;
    // the lines go to the fast path's tokenizer: one copy of the chunk into
    // its memory costs less than a copy of each line
    const lines = this.inTokenizerMemory(chunk, start);
    if (lines !== chunk) start = 0;
    for (;;) {
      const nl = lines.indexOf(10, start);
      if (nl < 0) break;
      this.lineNo++;
      const end = nl > start && lines[nl - 1] === 13 ? nl - 1 : nl;
      onLine(lines, start, end, this.lineNo);
      start = nl + 1;
    }
    if (start < lines.length) this.appendPartial(lines.subarray(start));
  }

  /** Give back the tokenizer memory the splitter holds (end() does too). */
  release(): void {
    if (this.readBuffer !== null) jsonTokenizer()?.giveBackReadBuffer(this.readBuffer);
    this.readBuffer = null;
  }

  /** chunk[from...] copied into the tokenizer's memory, or chunk itself when there is no room. */
  private inTokenizerMemory(chunk: Buffer, from: number): Buffer {
    const length = chunk.length - from;
    if (this.readBuffer === null && !this.triedReadBuffer) {
      this.triedReadBuffer = true;
      this.readBuffer = jsonTokenizer()?.takeReadBuffer() ?? null;
    }
    if (this.readBuffer === null || length > this.readBuffer.length) return chunk;
    chunk.copy(this.readBuffer, 0, from);
    return this.readBuffer.subarray(0, length);
  }

  /** Flush the last line (one without a newline); returns the number of lines. */
  end(): number {
    if (this.partial !== null) {
      const line = this.partial;
      this.partial = null;
      this.emit(line, 0, line.length);
    }
    this.skippingLongLine = false;
    this.release();
    return this.lineNo;
  }

  private emit(buf: Buffer, start: number, end: number): void {
    this.lineNo++;
    const trimmed = end > start && buf[end - 1] === 13 ? end - 1 : end;
    this.events.onLine(buf, start, trimmed, this.lineNo);
  }

  private appendPartial(bytes: Buffer): void {
    if (this.skippingLongLine) return;
    // copy: the chunk's memory may be reused by the stream
    const joined =
      this.partial === null ? Buffer.from(bytes) : Buffer.concat([this.partial, bytes]);
    if (joined.length > MAX_LINE_BYTES) {
      this.lineNo++;
      this.events.onLongLine?.(joined.subarray(0, 1024), this.lineNo);
      this.partial = null;
      this.skippingLongLine = true;
      return;
    }
    this.partial = joined;
  }
}
