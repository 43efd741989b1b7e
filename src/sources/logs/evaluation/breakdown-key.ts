/**
 * What a bad event is counted under in the breakdown: a value of the field
 * (cut to the reported length when longer), or slo's own bucket for events
 * without the field. The key's first character tells them apart, so no value
 * is ever taken for a bucket, and a value cut to "abc…" never merges with a
 * value that is "abc…" whole.
 */

import type { BreakdownEntry } from "../../types.js";
import { cutForReport, isTooLongToReport } from "./reported-text.js";
import type { CountedKey } from "./space-saving-counter.js";

export type BreakdownKey = string;

const WHOLE = "v";
const CUT = "c";
export const NONE_KEY: BreakdownKey = "n";

/** The key of a value of the breakdown field. */
export function valueKey(value: string): BreakdownKey {
  return isTooLongToReport(value) ? CUT + cutForReport(value) : WHOLE + value;
}

/** The breakdown entry a counted key reports; maxOvercount only where the count may be over. */
export function entryOf({ key, count, maxOvercount }: CountedKey): BreakdownEntry {
  const over = maxOvercount > 0 ? { maxOvercount } : {};
  if (key === NONE_KEY) return { bucket: "none", count, ...over };
  const value = key.slice(1);
  return key.startsWith(CUT)
    ? { value, truncated: true, count, ...over }
    : { value, count, ...over };
}

/** Values before buckets, values in code unit order (a cut value after the same text whole). */
export function compareKeys(a: BreakdownKey, b: BreakdownKey): number {
  const aBucket = a === NONE_KEY;
  const bBucket = b === NONE_KEY;
  if (aBucket !== bBucket) return aBucket ? 1 : -1;
  const byValue = compare(a.slice(1), b.slice(1));
  if (byValue !== 0 || a[0] === b[0]) return byValue;
  return a[0] === WHOLE ? -1 : 1;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
