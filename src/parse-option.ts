/**
 * Option values given as text, read the same way by the CLI (flags) and the
 * Action (inputs). A leaf: it knows nothing of either, so each names its own
 * option in the error (`--at` on the command line, `at` in a workflow).
 */

import { usageError } from "./errors.js";

const RFC3339 = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 instant in epoch ms; now when not given, so evaluation can be reproduced. */
export function parseAt(text: string | undefined, option: string): number {
  if (text === undefined) return Date.now();
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
