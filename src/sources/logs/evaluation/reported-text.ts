/** Text from the logs as the report keeps it: cut to a bounded length, and said to be cut. */

import { MAX_REPORTED_VALUE_CHARS } from "../../../limits.js";

/** Ends a cut text; the cut text, with it, is MAX_REPORTED_VALUE_CHARS long at most. */
export const CUT_MARK = "…";

/** Whether text is longer than the report keeps. */
export function isTooLongToReport(text: string): boolean {
  return text.length > MAX_REPORTED_VALUE_CHARS;
}

/** The start of text that the report keeps, ending with CUT_MARK; a surrogate pair is never split. */
export function cutForReport(text: string): string {
  let end = MAX_REPORTED_VALUE_CHARS - CUT_MARK.length;
  if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
  return detachedCopy(`${text.slice(0, end)}${CUT_MARK}`);
}

/** text, cut when it is too long to report. */
export function reportedText(text: string): string {
  return isTooLongToReport(text) ? cutForReport(text) : text;
}

/**
 * A copy of text that holds on to nothing else. V8 may make a short slice of
 * a long string (a cut value of a 1 MB line) point into the long one: kept as
 * is, each counter or sample would keep a whole line alive. Prepending a
 * character makes V8 copy the characters; slicing it off copies no more.
 */
export function detachedCopy(text: string): string {
  return ` ${text}`.slice(1);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
