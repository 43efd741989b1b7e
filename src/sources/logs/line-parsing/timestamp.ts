/**
 * Event timestamps as epoch milliseconds (fractional: sub-millisecond digits
 * are kept), from RFC 3339 text or epoch numbers. Parsed by hand, not with
 * Date: this runs once per log line.
 */

import { daysFromCivil, daysInMonth, withFraction } from "../../../definition/time-layout.js";

/**
 * A timestamp field's value: RFC 3339 text ("2019-09-24T08:47:41.960654375Z",
 * "...+13:00"), or epoch seconds / milliseconds / microseconds / nanoseconds
 * as a number or numeric text, told apart by magnitude. null when it is none
 * of these.
 */
export function timestampMs(value: unknown): number | null {
  if (typeof value === "number") return epochMs(value);
  if (typeof value !== "string") return null;
  const first = value.charCodeAt(0);
  // RFC 3339 starts with a 4-digit year and a dash
  if (value.length >= 20 && value.charCodeAt(4) === 45 /* - */) return parseRfc3339(value);
  if ((first >= 48 && first <= 57) || first === 46 /* . */) {
    if (/^\d+$/.test(value)) return epochDigitsMs(value);
    return /^\d+\.\d*$|^\.\d+$/.test(value) ? epochMs(Number(value)) : null;
  }
  return null;
}

/**
 * Whole epoch digits, read exactly even where a double cannot hold them
 * (nanoseconds): the digits below a millisecond are split off first.
 */
function epochDigitsMs(digitsText: string): number | null {
  const n = Number(digitsText);
  if (n < 1e14) return epochMs(n);
  const subMsDigits = n < 1e17 ? 3 : 6;
  const whole = Number(digitsText.slice(0, -subMsDigits));
  const fraction = Number(digitsText.slice(-subMsDigits)) / 10 ** subMsDigits;
  return withFraction(whole, fraction);
}

/** Below 1e11 an epoch is in seconds (until year 5138), then ms, µs, ns. */
export function epochMs(n: number): number | null {
  if (!Number.isFinite(n) || n < 0) return null;
  if (n < 1e11) return n * 1000;
  if (n < 1e14) return n;
  if (n < 1e17) return n / 1e3;
  return n / 1e6;
}

function digits(b: Uint8Array, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = b[i]! - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

let lastYmd = -1;
let lastDays = 0;

/** Where parseRfc3339 copies a string's characters; RFC 3339 text is short ASCII. */
const scratch = new Uint8Array(64);

/**
 * RFC 3339: YYYY-MM-DD(T|t| )HH:MM:SS(.fraction)?(Z|z|±HH:MM|±HHMM).
 * A time zone is required: a time without one is ambiguous.
 */
export function parseRfc3339(s: string): number | null {
  if (s.length > scratch.length) return null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 127) return null;
    scratch[i] = c;
  }
  return rfc3339BytesMs(scratch, 0, s.length);
}

/** parseRfc3339 on bytes b[start, end), so the fast path needs no string. */
export function rfc3339BytesMs(b: Uint8Array, start: number, end: number): number | null {
  if (end - start < 20) return null;
  const year = digits(b, start, 4);
  const month = digits(b, start + 5, 2);
  const day = digits(b, start + 8, 2);
  const sepT = b[start + 10];
  if (b[start + 4] !== 45 || b[start + 7] !== 45) return null;
  if (sepT !== 84 && sepT !== 116 && sepT !== 32) return null;
  const hour = digits(b, start + 11, 2);
  const minute = digits(b, start + 14, 2);
  const second = digits(b, start + 17, 2);
  if (b[start + 13] !== 58 || b[start + 16] !== 58) return null;
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) return null;

  const localMs =
    daysSince1970(year, month, day) * 86_400_000 +
    hour * 3_600_000 +
    minute * 60_000 +
    second * 1000;
  return instantMs(b, start + 19, end, localMs);
}

/**
 * The instant of an RFC 3339 text whose date and time (to the second), read
 * as UTC, are localMs, and whose rest b[at, end) is an optional fraction of
 * a second, then the zone; null when the rest is not that.
 */
function instantMs(b: Uint8Array, at: number, end: number, localMs: number): number | null {
  let i = at;
  let fractionMs = 0;
  if (b[i] === 46 /* . */) {
    i++;
    let value = 0;
    let scale = 1;
    const digitsStart = i;
    for (; i < end; i++) {
      const d = b[i]! - 48;
      if (!(d >= 0 && d <= 9)) break;
      // digits past nanoseconds cannot be represented anyway
      if (i - digitsStart < 9) {
        value = value * 10 + d;
        scale *= 10;
      }
    }
    if (i === digitsStart) return null;
    fractionMs = (value * 1000) / scale;
  }
  // the zone ends the text: Z (z), or an offset
  const zone = b[i];
  const utc = i + 1 === end && (zone === 90 || zone === 122);
  const offsetMinutes = utc ? 0 : offsetZoneMinutes(b, i, end);
  if (offsetMinutes === NO_ZONE) return null;
  const wholeMs = localMs - offsetMinutes * 60_000;
  // fractionMs is whole milliseconds plus a sub-millisecond part
  const fractionWhole = Math.floor(fractionMs);
  return withFraction(wholeMs + fractionWhole, fractionMs - fractionWhole);
}

/** offsetZoneMinutes when there is no valid zone (offsets are under a day). */
const NO_ZONE = 24 * 60;

/** A "+HH:MM" or "-HHMM" zone ending the text at b[at, end), in minutes east of UTC, or NO_ZONE. */
function offsetZoneMinutes(b: Uint8Array, at: number, end: number): number {
  const zone = b[at];
  if (at >= end || (zone !== 43 && zone !== 45) /* + - */) return NO_ZONE;
  const colon = b[at + 3] === 58;
  if (at + (colon ? 6 : 5) !== end) return NO_ZONE;
  const hours = digits(b, at + 1, 2);
  const minutes = digits(b, at + (colon ? 4 : 3), 2);
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) return NO_ZONE;
  return (zone === 45 ? -1 : 1) * (hours * 60 + minutes);
}

/** daysFromCivil, remembered for the last date: consecutive lines are mostly from the same day. */
function daysSince1970(year: number, month: number, day: number): number {
  const ymd = year * 10_000 + month * 100 + day;
  if (ymd !== lastYmd) {
    lastYmd = ymd;
    lastDays = daysFromCivil(year, month, day);
  }
  return lastDays;
}
