/** Byte-level line splitting across chunk boundaries. */

import { describe, expect, it } from "vitest";
import { MAX_LINE_BYTES } from "../../../src/limits.js";
import { jsonTokenizer } from "../../../src/sources/logs/fast-path/json-tokenizer.js";
import { LineSplitter, readLines } from "../../../src/sources/logs/reading/line-splitter.js";

/** How many of the tokenizer's read buffers are free (all are given back again). */
function freeReadBuffers(): number {
  const tokenizer = jsonTokenizer()!;
  const taken: Buffer[] = [];
  for (let b = tokenizer.takeReadBuffer(0); b !== null; b = tokenizer.takeReadBuffer(0))
    taken.push(b);
  for (const b of taken) tokenizer.giveBackReadBuffer(b);
  return taken.length;
}

function split(chunks: Buffer[]): { lines: [number, string][]; long: number[]; count: number } {
  const lines: [number, string][] = [];
  const long: number[] = [];
  const splitter = new LineSplitter({
    onLine: (buf, start, end, lineNo) => lines.push([lineNo, buf.toString("utf8", start, end)]),
    onLongLine: (_head, lineNo) => long.push(lineNo),
  });
  for (const chunk of chunks) splitter.push(chunk);
  const count = splitter.end();
  return { lines, long, count };
}

describe("LineSplitter", () => {
  const text = 'a\r\n{"é":"ü"}\n\nlast-without-newline';
  const expected: [number, string][] = [
    [1, "a"],
    [2, '{"é":"ü"}'],
    [3, ""],
    [4, "last-without-newline"],
  ];

  it("splits one chunk", () => {
    expect(split([Buffer.from(text)])).toEqual({ lines: expected, long: [], count: 4 });
  });

  it("gives the same lines wherever the chunks are cut, even inside \\r\\n or a UTF-8 character", () => {
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const result = split([bytes.subarray(0, cut), bytes.subarray(cut)]);
      expect(result.lines).toEqual(expected);
    }
    const single = Array.from(bytes, (b) => Buffer.from([b]));
    expect(split(single).lines).toEqual(expected);
  });

  it("does not invent a line after a final newline", () => {
    expect(split([Buffer.from("a\nb\n")])).toEqual({
      lines: [
        [1, "a"],
        [2, "b"],
      ],
      long: [],
      count: 2,
    });
    expect(split([]).count).toBe(0);
  });

  it("skips a line longer than the limit, reporting it, and carries on", () => {
    const big = Buffer.alloc(MAX_LINE_BYTES + 10, 0x61);
    const chunks: Buffer[] = [Buffer.from("first\nxx")];
    for (let i = 0; i < big.length; i += 1 << 20) chunks.push(big.subarray(i, i + (1 << 20)));
    chunks.push(Buffer.from("tail\nnext\n"));
    const result = split(chunks);
    expect(result.long).toEqual([2]);
    expect(result.lines).toEqual([
      [1, "first"],
      [3, "next"],
    ]);
    expect(result.count).toBe(3);
  });

  it("hands the lines over in the tokenizer's memory, and gives it back after the end or a failure", async () => {
    const free = freeReadBuffers();
    expect(free).toBeGreaterThan(0);
    const tokenizer = jsonTokenizer()!;
    const probe = tokenizer.takeReadBuffer(0)!;
    tokenizer.giveBackReadBuffer(probe);
    const inTokenizerMemory: boolean[] = [];
    const splitter = new LineSplitter(
      { onLine: (buf) => inTokenizerMemory.push(buf.buffer === probe.buffer) },
      tokenizer,
    );
    splitter.push(Buffer.from("a\nb\n"));
    expect(freeReadBuffers()).toBe(free - 1);
    splitter.end();
    expect(freeReadBuffers()).toBe(free);
    expect(inTokenizerMemory).toEqual([true, true]);

    async function* failing(): AsyncIterable<Buffer> {
      yield Buffer.from("one\ntw");
      throw new Error("the stream broke");
    }
    const lines: string[] = [];
    await expect(
      readLines(
        failing(),
        { onLine: (buf, start, end) => lines.push(buf.toString("utf8", start, end)) },
        tokenizer,
      ),
    ).rejects.toThrow("the stream broke");
    expect(lines).toEqual(["one"]);
    expect(freeReadBuffers()).toBe(free);
  });
});
