/** Where lines come from: globs, .gz, stdin, line endings, and the errors when a path matches nothing. */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  countAll,
  countError,
  countOne,
  FIXTURES,
  logsSpec,
  pairs,
  ratio,
  request,
} from "./helpers.js";

const ALL = ratio({ total: "| json", bad: "| json | status >= 500" });
const RATIO_TOTAL = '| json | msg = "http-response" | action = "CheckBalance"';
const RATIO = ratio({ total: RATIO_TOTAL, bad: `${RATIO_TOTAL} | status >= 500` });

describe("logs source inputs", () => {
  it("reads .gz files like plain ones", async () => {
    const plain = await countOne(logsSpec(["ratio.ndjson"]), request(RATIO));
    const gz = await countOne(logsSpec(["ratio.ndjson.gz"]), request(RATIO));
    expect(gz.windows).toEqual(plain.windows);
    expect(gz.diagnostics).toEqual({
      ...plain.diagnostics,
      malformed: {
        count: 2,
        samples: plain.diagnostics.malformed!.samples.map((s) => ({
          ...s,
          file: "ratio.ndjson.gz",
        })),
      },
      noTimestamp: {
        count: 2,
        samples: plain.diagnostics.noTimestamp!.samples.map((s) => ({
          ...s,
          file: "ratio.ndjson.gz",
        })),
      },
    });
  });

  it("expands globs (recursive, gz included), sorted, each file once", async () => {
    const result = await countOne(
      logsSpec(["globs/**/*.ndjson*", "globs/a.ndjson"]),
      request(ALL, { breakdown: { by: "msg", limit: 5 } }),
    );
    expect(pairs(result)["5m"]).toEqual([3, 5]);
    expect(result.diagnostics.lines).toBe(6);
    expect(result.diagnostics.malformed?.samples).toEqual([
      { file: join("globs", "b.ndjson.gz"), line: 3, text: "broken b" },
    ]);
    expect(result.breakdown).toEqual([
      { value: "a", count: 1 },
      { value: "c", count: 1 },
    ]);
  });

  it("resolves absolute globs and paths", async () => {
    const result = await countOne(
      logsSpec([join(FIXTURES, "globs", "*.ndjson")], { baseDir: "/" }),
      request(ALL),
    );
    expect(pairs(result)["5m"]).toEqual([1, 2]);
  });

  it("is a source error naming a path or glob that matches nothing", async () => {
    const missing = await countError(logsSpec(["ratio.ndjson", "nope/*.ndjson"]), request(ALL));
    expect(missing.code).toBe("source");
    expect(missing.message).toContain("no file matches 'nope/*.ndjson'");
    const plain = await countError(logsSpec(["missing.ndjson"]), request(ALL));
    expect(plain.message).toContain("no file matches 'missing.ndjson'");
  });

  it("is a source error for a folder given as a path", async () => {
    const error = await countError(logsSpec(["globs"]), request(ALL));
    expect(error.code).toBe("source");
    expect(error.message).toContain("is a folder");
  });

  it("gives the same error to every request, and spec errors stay per request", async () => {
    const results = await countAll(logsSpec(["nope.ndjson"]), [
      request(ALL),
      request(ratio({ total: "| json |", bad: "| json" })),
    ]);
    expect(results.map((r) => (r as { code: string }).code)).toEqual(["source", "spec"]);
  });

  it("reads stdin for '-', plain or gzip", async () => {
    const text = readFileSync(join(FIXTURES, "ratio.ndjson"));
    const plain = await countOne(logsSpec(["-"]), request(RATIO), { stdin: Readable.from([text]) });
    expect(pairs(plain)).toEqual({ "5m": [2, 5], "1h": [4, 8], "1d": [5, 10] });
    expect(plain.diagnostics.malformed?.samples[0]?.file).toBe("<stdin>");
    const gz = await countOne(logsSpec(["-"]), request(RATIO), {
      stdin: Readable.from([gzipSync(text)]),
    });
    expect(pairs(gz)).toEqual(pairs(plain));
  });

  it("reads stdin delivered in tiny chunks", async () => {
    const text = readFileSync(join(FIXTURES, "ratio.ndjson"));
    const chunks = Array.from({ length: Math.ceil(text.length / 7) }, (_, i) =>
      text.subarray(i * 7, i * 7 + 7),
    );
    const result = await countOne(logsSpec(["-"]), request(RATIO), {
      stdin: Readable.from(chunks),
    });
    expect(pairs(result)).toEqual({ "5m": [2, 5], "1h": [4, 8], "1d": [5, 10] });
    expect(result.diagnostics.lines).toBe(19);
  });

  it("handles CRLF, blank lines and a last line without a newline", async () => {
    const result = await countOne(logsSpec(["crlf.ndjson"]), request(ALL));
    expect(pairs(result)["5m"]).toEqual([1, 3]);
    expect(result.diagnostics.lines).toBe(5);
    expect(result.diagnostics.malformed?.samples).toEqual([
      { file: "crlf.ndjson", line: 3, text: "not json" },
    ]);
  });

  it("drops a UTF-8 byte order mark on the first line", async () => {
    const result = await countOne(logsSpec(["bom.ndjson"]), request(ALL));
    expect(pairs(result)["5m"]).toEqual([1, 1]);
    expect(result.diagnostics.malformed?.count).toBe(0);
  });

  it("reports progress in raw bytes", async () => {
    const seen: [number, number][] = [];
    await countOne(logsSpec(["ratio.ndjson", "ratio.ndjson.gz"]), request(RATIO), {
      onProgress: (done, total) => seen.push([done, total]),
    });
    const size = readFileSync(join(FIXTURES, "ratio.ndjson")).length;
    const gzSize = readFileSync(join(FIXTURES, "ratio.ndjson.gz")).length;
    expect(seen.at(-1)).toEqual([size + gzSize, size + gzSize]);
  });
});
