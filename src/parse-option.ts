/**
 * Option values given as text, read the same way by the CLI (flags) and the
 * Action (inputs). A leaf: it knows nothing of either, so each names its own
 * option in the error (`--at` on the command line, `at` in a workflow).
 */

import { MINUTE_MS, parseDuration } from "./definition/duration.js";
import { usageError } from "./errors.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * An RFC 3339 instant in epoch ms. Not given: now, floored to the whole
 * minute, so that every edge a run needs is on a minute and a scheduled run
 * can use the log tally cache (a run within the same minute sees the same).
 */
export function parseAt(text: string | undefined, option: string, now = Date.now()): number {
  if (text === undefined) return Math.floor(now / MINUTE_MS) * MINUTE_MS;
  const ms = RFC3339.test(text.trim()) ? Date.parse(text.trim()) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw usageError(`${option} ${text}: expected an RFC 3339 time like 2026-11-24T12:00:00Z`);
  }
  return ms;
}

export function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw usageError(`${option} ${value}: expected one of ${allowed.join(", ")}`);
  }
  return value as T;
}

/** `--deploy VERSION@TIME`: the last `@` splits, so versions like `pkg@1.2` keep theirs. */
export function parseDeploy(text: string, option: string): { version: string; atMs: number } {
  const at = text.lastIndexOf("@");
  const version = at > 0 ? text.slice(0, at).trim() : "";
  if (at <= 0 || version === "") {
    throw usageError(`${option} ${text}: expected VERSION@TIME, like v1.4.2@2026-11-24T10:00:00Z`);
  }
  return { version, atMs: parseAt(text.slice(at + 1), `${option} ${version}@…:`) };
}

/** A positive duration as SLO files write them (30m, 2h, 1h30m), in ms. */
export function parseDurationOption(text: string, option: string): number {
  const ms = parseDuration(text);
  if (ms === null)
    throw usageError(`${option} ${text}: expected a duration above zero, like 30s, 10m or 1h`);
  return ms;
}

/** A number in [min, max] (a fraction, a factor), from text. */
export function parseNumberOption(text: string, option: string, min: number, max: number): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (!(value >= min && value <= max)) {
    throw usageError(`${option} ${text}: expected a number from ${min} to ${max}`);
  }
  return value;
}

/** slo verify's `confidence`: how sure the exact test must be (a p-value threshold of 1 - it). */
export function parseConfidence(text: string, option: string): number {
  return parseNumberOption(text, option, 0.5, 0.999999);
}

/** slo verify's `min-burn`: the burn rate an after window must reach to regress. */
export function parseMinBurn(text: string, option: string): number {
  return parseNumberOption(text, option, 0, 1e6);
}

/**
 * slo verify's `min-increase`, above 1: at 1, a baseline that already burns
 * fast would make "no increase at all" a regression, which no test can tell
 * from chance.
 */
export function parseMinIncrease(text: string, option: string): number {
  const value = text.trim() === "" ? Number.NaN : Number(text);
  if (value > 1 && value <= 1e6) return value;
  throw usageError(
    `${option} ${text}: expected a number above 1, at most 1000000`,
    "a regression must be some increase over the baseline, e.g. 1.5",
  );
}
