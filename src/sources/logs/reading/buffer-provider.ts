/**
 * Memory for the readers to read into, lent by whoever reads the lines
 * next. The fast path's tokenizer lends buffers in its own memory, where it
 * scans the lines read there as they lie, without a copy; the readers know
 * nothing of it.
 */
export interface BufferProvider {
  /** A buffer of at least minBytes, or null when none is free (the reader then uses its own). */
  takeReadBuffer(minBytes: number): Buffer | null;
  /** Give back a buffer takeReadBuffer gave, once no line in it is handed on any more. */
  giveBackReadBuffer(buf: Buffer): void;
}
