/** The readers' contract: the lines they hand on are always followed by their line break. */

import { describe, expect, it } from "vitest";
import {
  LineCutter,
  wholeLines,
  withFinalNewline,
} from "../../../src/sources/logs/reading/line-events.js";

describe("NewlineTerminated bytes", () => {
  it("withFinalNewline adds the last line's newline only where it is missing", () => {
    const room = Buffer.from("a\nbc..");
    expect(withFinalNewline(room, 4).toString()).toBe("a\nbc\n");
    expect(withFinalNewline(Buffer.from("a\nb\n"), 4).toString()).toBe("a\nb\n");
    expect(withFinalNewline(Buffer.alloc(0), 0).length).toBe(0);
    expect(() => withFinalNewline(Buffer.from("ab"), 2)).toThrow(/internal/);
  });

  it("wholeLines stops after the last newline", () => {
    expect(wholeLines(Buffer.from("a\nb\ncd"), 6).toString()).toBe("a\nb\n");
    expect(wholeLines(Buffer.from("a\nb\ncd"), 3).toString()).toBe("a\n");
    expect(wholeLines(Buffer.from("abc\n"), 0).length).toBe(0);
    expect(wholeLines(Buffer.from("abc"), 3).length).toBe(0);
  });

  it("LineCutter hands on each line with its line break right after it, numbered on", () => {
    const seen: [number, string, number][] = [];
    const cutter = new LineCutter({
      onLine: (buf, start, end, lineNo) =>
        seen.push([lineNo, buf.toString("utf8", start, end), buf[end]!]),
    });
    const bytes = withFinalNewline(Buffer.from("a\r\n\nlast."), 8);
    expect(cutter.cut(bytes, 0, bytes.length)).toBe(9);
    cutter.skipLongLine(Buffer.from("x"));
    expect(cutter.cut(wholeLines(Buffer.from("z\n"), 2), 0, 1)).toBe(2);
    expect(seen).toEqual([
      [1, "a", 13],
      [2, "", 10],
      [3, "last", 10],
      [5, "z", 10],
    ]);
  });
});
