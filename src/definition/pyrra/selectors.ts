/**
 * Pyrra's `metric:` fields: one series selector each, which Pyrra wraps in
 * `sum(rate(sel[window]))` itself. slo counts a plain selector as
 * `sum(increase(sel[window]))`: over one window the ratio of two increases
 * is the ratio of the two rates, so the SLI is Pyrra's.
 */

import { formatPromNumber, isSelector, selectorParts } from "../promql.js";
import type { Rule } from "../rules.js";

export interface Matcher {
  name: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

const MATCHER =
  /^\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*))\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*$/;

function unquote(text: string): string {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  return text.slice(1, -1).replace(/\\(.)/g, "$1");
}

/** One matcher as written (`code=~"5.."`) by its parts; null for a form not read here. */
export function parseMatcher(text: string): Matcher | null {
  const m = MATCHER.exec(text);
  if (!m) return null;
  const name = m[1] !== undefined ? unquote(`"${m[1]}"`) : m[2]!;
  return { name, op: m[3] as Matcher["op"], value: unquote(m[4]!) };
}

export interface ParsedSelector {
  metric: string;
  matchers: Matcher[];
  /** each matcher as written, in the selector's order */
  written: string[];
}

export function parseSelector(text: string): ParsedSelector | null {
  const parts = selectorParts(text);
  if (!parts) return null;
  const matchers = parts.matchers.map(parseMatcher);
  if (matchers.some((m) => m === null)) return null;
  return { metric: parts.metric, matchers: matchers as Matcher[], written: parts.matchers };
}

/** Pyrra parses each metric as a VectorSelector and refuses anything else. */
export const pyrraSelector: Rule<string> = (text) => {
  if (isSelector(text)) return undefined;
  const shifted = /\boffset\b|@/.test(text);
  return {
    message: shifted
      ? "slo does not read a Pyrra selector with offset or @ yet: it counts each window up to its end"
      : "expected a series selector, metric{labels}: Pyrra reads a metric and its matchers, nothing more",
    hint: shifted
      ? "leave the offset out"
      : 'write the counter itself, e.g. http_requests_total{code=~"5.."}: Pyrra wraps it in sum(rate(...)) itself',
  };
};

const GO_FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Inf$/i;

/** The `le` matcher of a latency's success metric, which Pyrra requires, with a number. */
export const hasLeMatcher: Rule<string> = (text) => {
  const le = parseSelector(text)?.matchers.find((m) => m.name === "le");
  if (!le) {
    return {
      message:
        "the success metric needs an le matcher: the histogram bucket of the latency target, as Pyrra requires",
      hint: 'e.g. http_request_duration_seconds_bucket{job="api",le="0.3"}',
    };
  }
  return GO_FLOAT.test(le.value)
    ? undefined
    : { message: `le="${le.value}" is not a number; Pyrra requires the bucket's bound` };
};

function sameMatchers(a: Matcher[], b: Matcher[]): boolean {
  const key = (m: Matcher) => JSON.stringify([m.name, m.op, m.value]);
  const keys = new Set(a.map(key));
  return a.length === b.length && b.every((m) => keys.has(key(m)));
}

/**
 * A latency on one classic histogram: success is `<h>_bucket{M, le="x"}`
 * and total `<h>_count{M}`, the same M. slo's latency indicator counts
 * exactly those two (and also reads the bucket when a client writes the
 * bound as "0.50"), with the threshold in the histogram's own unit.
 */
export function histogramLatency(
  success: string,
  total: string,
): { histogram: string; le: number } | null {
  const s = parseSelector(success);
  const t = parseSelector(total);
  if (!s || !t || !s.metric.endsWith("_bucket") || !t.metric.endsWith("_count")) return null;
  const base = s.metric.slice(0, -"_bucket".length);
  if (t.metric !== `${base}_count`) return null;
  const le = s.matchers.find((m) => m.name === "le");
  if (le?.op !== "=") return null;
  const bound = Number(le.value);
  if (!(bound > 0 && Number.isFinite(bound))) return null;
  const others = s.matchers.filter((m) => m !== le);
  if (!sameMatchers(others, t.matchers)) return null;
  const written = t.written.length === 0 ? "" : `{${t.written.join(", ")}}`;
  return { histogram: `${base}${written}`, le: bound };
}

/** The threshold as slo writes it: the `le` bound as a plain number. */
export function thresholdText(le: number): string {
  return formatPromNumber(le);
}

/**
 * Pyrra expects the errors to be among the total: on one metric, a total
 * matcher the errors selector does not repeat counts errors outside the
 * total (and the SLI can go below 0). Different metrics are not compared.
 */
export function matchersMissingFromErrors(errors: string, total: string): string[] {
  const e = parseSelector(errors);
  const t = parseSelector(total);
  // A metric named by a __name__ matcher may be another metric: not compared.
  if (!e || !t || e.metric === "" || e.metric !== t.metric) return [];
  const key = (m: Matcher) => JSON.stringify([m.name, m.op, m.value]);
  const present = new Set(e.matchers.map(key));
  return t.written.filter((_, i) => !present.has(key(t.matchers[i]!)));
}
