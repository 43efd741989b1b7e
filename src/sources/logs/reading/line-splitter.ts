/**
 * Lines out of a stream of bytes, split at the byte level ("\n"; a "\r"
 * before it is dropped, the last line needs no newline). Only the current
 * chunk and one partial line are held, never the file.
 */

import { MAX_LINE_BYTES } from "../../../limits.js";

import type { BufferProvider } from "./buffer-provider.js";
import { LineCutter, type LineReaderEvents, wholeLines, withFinalNewline } from "./line-events.js";
import { READ_CHUNK_BYTES } from "./stream-chunks.js";

/**
 * Feed every line of the chunks to onLine; resolves to the number of lines.
 * buffers: where to copy the chunks to (see BufferProvider).
 */
export async function readLines(
  chunks: AsyncIterable<Buffer>,
  events: LineReaderEvents,
  buffers?: BufferProvider,
): Promise<number> {
  const splitter = new LineSplitter(events, buffers);
  try {
    for await (const chunk of chunks) splitter.push(chunk);
    return splitter.end();
  } finally {
    splitter.release();
  }
}

/** Splits pushed chunks into lines; end() flushes the last line. */
export class LineSplitter {
  private readonly lines: LineCutter;
  /** the start of a line the chunks so far have not finished (copied) */
  private partial: Buffer | null = null;
  private skippingLongLine = false;
  /** the buffer lent by buffers, which each chunk is copied into; asked for once */
  private readBuffer: Buffer | null = null;
  private askedForReadBuffer = false;

  constructor(
    events: LineReaderEvents,
    private readonly buffers?: BufferProvider,
  ) {
    this.lines = new LineCutter(events);
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.partial !== null || this.skippingLongLine) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.appendPartial(chunk);
        return;
      }
      this.finishPartial(chunk.subarray(0, nl + 1));
      start = nl + 1;
    }
    // the lines go to whoever lent the read buffer (the fast path's tokenizer):
    // one copy of the chunk into it costs less than a copy of each line
    const bytes = this.inReadBuffer(chunk, start);
    if (bytes !== chunk) start = 0;
    const whole = wholeLines(bytes, bytes.length);
    this.lines.cut(whole, start, whole.length);
    if (whole.length < bytes.length) this.appendPartial(bytes.subarray(whole.length));
  }

  /** Give back the read buffer the splitter holds (end() does too). */
  release(): void {
    if (this.readBuffer !== null) this.buffers?.giveBackReadBuffer(this.readBuffer);
    this.readBuffer = null;
  }

  /** Flush the last line (one without a newline); returns the number of lines. */
  end(): number {
    if (this.partial !== null) {
      const last = Buffer.allocUnsafe(this.partial.length + 1);
      this.partial.copy(last);
      this.partial = null;
      const line = withFinalNewline(last, last.length - 1);
      this.lines.cut(line, 0, line.length);
    }
    this.skippingLongLine = false;
    this.release();
    return this.lines.lineNo;
  }

  /** chunk[from...] copied into the read buffer, or chunk itself when there is none or no room. */
  private inReadBuffer(chunk: Buffer, from: number): Buffer {
    const length = chunk.length - from;
    if (!this.askedForReadBuffer) {
      this.askedForReadBuffer = true;
      this.readBuffer = this.buffers?.takeReadBuffer(READ_CHUNK_BYTES) ?? null;
    }
    if (this.readBuffer === null || length > this.readBuffer.length) return chunk;
    chunk.copy(this.readBuffer, 0, from);
    return this.readBuffer.subarray(0, length);
  }

  /** The partial line ends with rest (up to and with its "\n"). */
  private finishPartial(rest: Buffer): void {
    if (this.skippingLongLine) {
      this.skippingLongLine = false;
      return;
    }
    const line = Buffer.concat([this.partial!, rest]);
    this.partial = null;
    const whole = wholeLines(line, line.length);
    this.lines.cut(whole, 0, whole.length);
  }

  private appendPartial(bytes: Buffer): void {
    if (this.skippingLongLine) return;
    // copy: the chunk's memory may be reused by the stream
    const joined =
      this.partial === null ? Buffer.from(bytes) : Buffer.concat([this.partial, bytes]);
    if (joined.length > MAX_LINE_BYTES) {
      this.lines.skipLongLine(joined.subarray(0, 1024));
      this.partial = null;
      this.skippingLongLine = true;
      return;
    }
    this.partial = joined;
  }
}
