/**
 * The words Loki (Go) gives a label value a filter cannot convert, for
 * `__error_details__`: strconv's, time.ParseDuration's.
 */

/** A string as Go's strconv.Quote writes it, for ASCII text; close enough past it. */
export function goQuote(text: string): string {
  return JSON.stringify(text);
}

const NUMBER_ONLY = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const NUMBER_THEN_UNIT = /^[+-]?(?:\d+\.?\d*|\.\d+)([^\d.]+)/;

/** time.ParseDuration's error for a text it refuses. */
export function durationError(text: string): string {
  if (NUMBER_ONLY.test(text) && text !== "0") {
    return `time: missing unit in duration ${goQuote(text)}`;
  }
  const unit = NUMBER_THEN_UNIT.exec(text)?.[1];
  if (unit !== undefined && !/^(?:ns|us|µs|μs|ms|s|m|h)/.test(unit)) {
    return `time: unknown unit ${goQuote(unit)} in duration ${goQuote(text)}`;
  }
  return `time: invalid duration ${goQuote(text)}`;
}
