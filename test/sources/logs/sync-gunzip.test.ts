/** Gunzip on the reading thread into one reused buffer: the text, member after member, and where damage stops it. */

import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { gunzipSync, ZlibError } from "../../../src/sources/logs/reading/sync-gunzip.js";

const text = Buffer.from(
  Array.from({ length: 5000 }, (_, i) => `{"i":${i},"pad":"${(i * 7919).toString(36)}"}\n`).join(
    "",
  ),
);

async function* pieces(bytes: Buffer, size: number): AsyncIterable<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
}

/** The text, each chunk copied (they are views of one buffer), and the chunks' buffers. */
async function inflated(bytes: Buffer, pieceBytes: number, chunkBytes: number) {
  const chunks: Buffer[] = [];
  const memories = new Set<ArrayBufferLike>();
  for await (const chunk of gunzipSync(pieces(bytes, pieceBytes), chunkBytes)) {
    expect(chunk.length).toBeLessThanOrEqual(chunkBytes);
    memories.add(chunk.buffer);
    chunks.push(Buffer.from(chunk));
  }
  return { text: Buffer.concat(chunks), memories };
}

async function failure(bytes: Buffer): Promise<ZlibError> {
  try {
    await inflated(bytes, 1000, 4096);
  } catch (error) {
    if (error instanceof ZlibError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("gunzipSync", () => {
  it("gives the text in chunks of one reused buffer, whatever the input's pieces", async () => {
    const gz = gzipSync(text);
    for (const pieceBytes of [1, 777, gz.length]) {
      const result = await inflated(gz, pieceBytes, 4096);
      expect(result.text.equals(text)).toBe(true);
      expect(result.memories.size).toBe(1);
    }
  });

  it("reads every member of a multi-member file, and stops at zero padding", async () => {
    const half = text.length / 2;
    const gz = Buffer.concat([
      gzipSync(text.subarray(0, half)),
      gzipSync(text.subarray(half)),
      Buffer.alloc(512),
    ]);
    expect((await inflated(gz, 1000, 4096)).text.equals(text)).toBe(true);
  });

  it("says where damage stops it: truncated at its end, not gzip at byte 0", async () => {
    const gz = gzipSync(text);
    const cut = await failure(gz.subarray(0, gz.length >> 1));
    expect(cut.code).toBe("Z_BUF_ERROR");
    expect(cut.consumed).toBe(gz.length >> 1);
    const plain = await failure(text);
    expect(plain.code).toBe("Z_DATA_ERROR");
    expect(plain.consumed).toBe(0);
    expect((await failure(Buffer.alloc(0))).code).toBe("Z_BUF_ERROR");
  });
});
