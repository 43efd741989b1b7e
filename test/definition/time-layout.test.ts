/** Go layouts for timestamp.format: read as Go's time.Parse reads them. */

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTimeLayout, parseWithLayout } from "../../src/definition/time-layout.js";

function read(layout: string, value: string): number | null {
  const compiled = compileTimeLayout(layout);
  if (!compiled.ok) throw new Error(compiled.message);
  return parseWithLayout(compiled.chunks, value);
}

describe("parseWithLayout", () => {
  it("reads an access log's time (clf) with its offset", () => {
    expect(read("clf", "06/Dec/2026:10:00:00 +0000")).toBe(Date.parse("2026-12-06T10:00:00Z"));
    expect(read("clf", "06/Dec/2026:11:30:00 +0130")).toBe(Date.parse("2026-12-06T10:00:00Z"));
    expect(read("02/Jan/2006:15:04:05 -0700", "31/Jan/2026:00:00:01 -0500")).toBe(
      Date.parse("2026-01-31T05:00:01Z"),
    );
  });

  it("reads Go's named layouts", () => {
    const t = Date.parse("2026-03-05T07:08:09Z");
    expect(read("RFC3339", "2026-03-05T07:08:09Z")).toBe(t);
    expect(read("RFC3339", "2026-03-05T09:08:09+02:00")).toBe(t);
    expect(read("RFC3339Nano", "2026-03-05T07:08:09.25Z")).toBe(t + 250);
    expect(read("RFC1123", "Thu, 05 Mar 2026 07:08:09 GMT")).toBe(t);
    expect(read("RFC1123Z", "Thu, 05 Mar 2026 07:08:09 +0000")).toBe(t);
    expect(read("ANSIC", "Thu Mar  5 07:08:09 2026")).toBe(t);
    expect(read("RFC822Z", "05 Mar 26 07:08 +0000")).toBe(t - 9000);
    expect(read("DateTime", "2026-03-05 07:08:09")).toBe(t);
    expect(read("RFC850", "Thursday, 05-Mar-26 07:08:09 UTC")).toBe(t);
  });

  it("reads a fraction after the seconds even when the layout has none, as Go does", () => {
    expect(read("DateTime", "2026-03-05 07:08:09.123456")).toBe(
      Date.parse("2026-03-05T07:08:09.123Z") + 0.456,
    );
    expect(read("2006-01-02 15:04:05,000", "2026-03-05 07:08:09,120")).toBe(
      Date.parse("2026-03-05T07:08:09.120Z"),
    );
  });

  it("reads 12-hour clocks and month names in any case", () => {
    expect(read("Jan 2 2006 3:04PM", "MAR 5 2026 12:08AM")).toBe(
      Date.parse("2026-03-05T00:08:00Z"),
    );
    expect(read("Jan 2 2006 3:04pm", "mar 5 2026 1:08pm")).toBe(Date.parse("2026-03-05T13:08:00Z"));
  });

  it("gives no time for text that does not fit", () => {
    expect(read("clf", "31/Feb/2026:10:00:00 +0000")).toBeNull();
    expect(read("clf", "06/Dec/2026:10:00:00 +0000 extra")).toBeNull();
    expect(read("clf", "06/Dec/2026:10:00:00")).toBeNull();
    expect(read("clf", "6/Dec/2026:10:00:00 +0000")).toBeNull();
    expect(read("clf", "06/Dex/2026:10:00:00 +0000")).toBeNull();
    expect(read("clf", "06/Dec/2026:24:00:00 +0000")).toBeNull();
    expect(read("RFC1123", "Thu, 05 Mar 2026 07:08:09 CET")).toBeNull();
    expect(read("clf", "")).toBeNull();
  });

  it("reads back any instant written in clf and RFC 3339 with nanoseconds", () => {
    const MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(" ");
    const two = (n: number) => String(n).padStart(2, "0");
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_799 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        fc.integer({ min: 0, max: 999_999_999 }),
        (seconds, offsetMinutes, nanos) => {
          const local = new Date((seconds + offsetMinutes * 60) * 1000);
          const sign = offsetMinutes < 0 ? "-" : "+";
          const zone = `${two(Math.floor(Math.abs(offsetMinutes) / 60))}${two(Math.abs(offsetMinutes) % 60)}`;
          const date = `${two(local.getUTCDate())}/${MONTHS[local.getUTCMonth()]}/${local.getUTCFullYear()}`;
          const time = `${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}`;
          expect(read("clf", `${date}:${time} ${sign}${zone}`)).toBe(seconds * 1000);
          const iso = `${local.toISOString().slice(0, 19)}.${String(nanos).padStart(9, "0")}${sign}${zone.slice(0, 2)}:${zone.slice(2)}`;
          // a double of epoch ms near 2100 resolves about 0.5 µs
          expect(read("RFC3339Nano", iso)! - seconds * 1000).toBeCloseTo(nanos / 1e6, 2);
        },
      ),
    );
  });
});

describe("compileTimeLayout", () => {
  it("refuses a layout that does not say the date, naming what it needs", () => {
    for (const layout of ["15:04:05", "Kitchen", "2006-01 15:04", "Jan 2 15:04"]) {
      const compiled = compileTimeLayout(layout);
      expect(compiled.ok).toBe(false);
      if (!compiled.ok) expect(compiled.message).toContain("needs a year");
    }
  });

  it("refuses the day of the year", () => {
    const compiled = compileTimeLayout("2006-002");
    expect(compiled.ok).toBe(false);
  });
});
