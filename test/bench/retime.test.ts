/**
 * issue 18 §3: the cache bench appends the file's own lines re-timed after
 * its end; every one must land strictly inside the rerun's new minutes, in
 * order, with nothing but its time changed.
 */

import { describe, expect, it } from "vitest";
import { retimeLines } from "../../bench/retime.js";

const END = Date.parse("2026-11-24T12:00:00Z");
const MINUTE = 60_000;

function line(t: string, status = 200): string {
  return `{"lvl":"debug","msg":"brkr-somesystem-http-response","t":"${t}","status":${status},"duration":12.5}`;
}

function timeOf(text: string): string {
  return /"t":"([^"]+)"/.exec(text)![1]!;
}

describe("retimeLines", () => {
  const lines = [
    line("2026-11-24T04:48:00.000000001Z"),
    line("2026-11-24T08:00:00.500123456Z", 503),
    line("2026-11-24T11:59:59.999999999Z"),
  ];
  const out = retimeLines(lines, END, END + 5 * MINUTE).split("\n");

  it("puts every line strictly inside (from, to), in order", () => {
    expect(out.at(-1)).toBe("");
    const times = out.slice(0, -1).map(timeOf);
    expect(times).toHaveLength(3);
    for (const t of times) {
      expect(t > "2026-11-24T12:00:00.000000000Z").toBe(true);
      expect(t < "2026-11-24T12:05:00.000000000Z").toBe(true);
    }
    expect([...times].sort()).toEqual(times);
    expect(times[0]).toBe("2026-11-24T12:00:00.001000001Z");
    expect(times[2]).toBe("2026-11-24T12:04:59.999999999Z");
  });

  it("keeps the sub-millisecond digits and every other field", () => {
    expect(timeOf(out[1]!).slice(23)).toBe("123456Z");
    expect(out[1]!.replace(timeOf(out[1]!), "T")).toBe(line("T", 503));
  });

  it("shifts a 5-minute stretch by 10 minutes, nearly as it was", () => {
    const shifted = retimeLines(
      [line("2026-11-24T11:55:00.000000000Z"), line("2026-11-24T11:59:59.999000000Z")],
      END + 5 * MINUTE,
      END + 10 * MINUTE,
    ).split("\n");
    expect(timeOf(shifted[0]!)).toBe("2026-11-24T12:05:00.001000000Z");
    expect(timeOf(shifted[1]!)).toBe("2026-11-24T12:09:59.999000000Z");
  });

  it("rejects a line without a time", () => {
    expect(() => retimeLines(['{"msg":"x"}'], END, END + MINUTE)).toThrow(/no "t"/);
  });
});
