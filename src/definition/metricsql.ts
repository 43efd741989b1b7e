/**
 * MetricsQL (VictoriaMetrics' query language) told apart from PromQL. slo
 * reads PromQL only; a query written for VictoriaMetrics fails PromQL's
 * grammar, and "syntax error: unexpected (" says nothing of why. When the
 * PromQL error lands on one of MetricsQL's own constructs, the user is told
 * so and what to write instead. Conservative on purpose: only where the
 * grammar stopped, so a real PromQL mistake still reads as one.
 */

import { formatPromDuration } from "./promql-duration.js";

export interface MetricsqlConstruct {
  /** where the construct starts in the text */
  offset: number;
  /** what PromQL lacks, for the message */
  what: string;
  /** what to write in PromQL instead */
  instead: string;
}

interface Token {
  kind: "word" | "number" | "punct";
  text: string;
  from: number;
  to: number;
}

const WORD = /[A-Za-z_:][A-Za-z0-9_:]*/y;
// In a range `[5m:1i]` the colon splits range from step; it is no part of a word.
const WORD_IN_RANGE = /[A-Za-z_][A-Za-z0-9_]*/y;
// Digits only, `_` allowed: a MetricsQL suffix (`1Ki`, `1.5m`) starts right after.
const NUMBER = /(?:\d[\d_]*(?:\.\d[\d_]*)?|\.\d[\d_]*)/y;

/** Past the string that starts at `i` (its closing quote included). */
function skipQuoted(text: string, i: number): number {
  const quote = text[i]!;
  let j = i + 1;
  while (j < text.length && text[j] !== quote) j += text[j] === "\\" && quote !== "`" ? 2 : 1;
  return j + 1;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let brackets = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) i++;
    else if (c === '"' || c === "'" || c === "`") i = skipQuoted(text, i);
    else if (c === "#") {
      const end = text.indexOf("\n", i);
      i = end < 0 ? text.length : end;
    } else {
      if (c === "[") brackets++;
      if (c === "]") brackets = Math.max(0, brackets - 1);
      const token = matchAt(brackets > 0 ? WORD_IN_RANGE : WORD, "word", text, i) ??
        matchAt(NUMBER, "number", text, i) ?? { kind: "punct", text: c, from: i, to: i + 1 };
      tokens.push(token);
      i = token.to;
    }
  }
  return tokens;
}

function matchAt(re: RegExp, kind: Token["kind"], text: string, i: number): Token | null {
  re.lastIndex = i;
  const m = re.exec(text);
  return m ? { kind, text: m[0], from: i, to: i + m[0].length } : null;
}

const PLAIN_PROMQL = "a PromQL function (rate, increase, sum, histogram_quantile, ...)";

/**
 * MetricsQL's functions PromQL does not have (VictoriaMetrics' metricsql
 * package: rollup, transform and aggregate functions), with the PromQL to
 * write instead where there is one.
 */
const METRICSQL_FUNCTIONS: Record<string, string> = {
  increase_pure: "increase(...)",
  increase_prometheus: "increase(...)",
  delta_prometheus: "delta(...)",
  changes_prometheus: "changes(...)",
  rollup_increase: "increase(...)",
  rollup_rate: "rate(...)",
  rollup_delta: "delta(...)",
  rollup_deriv: "deriv(...)",
  median_over_time: "quantile_over_time(0.5, ...)",
  median: "quantile(0.5, ...)",
  label_set: 'label_replace(v, "name", "value", "", "")',
  label_copy: 'label_replace(v, "to", "$1", "from", "(.*)")',
  label_move: 'label_replace(v, "to", "$1", "from", "(.*)")',
  histogram_share:
    'the share of events under a bound: sum(rate(x_bucket{le="0.3"}[5m])) / sum(rate(x_count[5m])) (or a latency indicator with that threshold)',
  share_le_over_time: "a ratio of counters (good / total)",
  share_gt_over_time: "a ratio of counters (bad / total)",
  count_le_over_time: "a counter of the events under the bound",
  count_gt_over_time: "a counter of the events over the bound",
};

/** The rest of MetricsQL's own functions: no single PromQL function stands for them. */
const OTHER_METRICSQL_FUNCTIONS = [
  "aggr_over_time ascent_over_time count_eq_over_time count_ne_over_time decreases_over_time",
  "default_rollup deriv_fast descent_over_time distinct_over_time duration_over_time",
  "first_over_time geomean_over_time histogram_over_time hoeffding_bound_lower",
  "hoeffding_bound_upper ideriv increases_over_time integrate lag lifetime mode_over_time",
  "outlier_iqr_over_time quantiles_over_time range_over_time rate_over_sum rollup",
  "rollup_candlestick rollup_scrape_interval scrape_interval share_eq_over_time",
  "stale_samples_over_time sum_gt_over_time sum_lt_over_time sum2_over_time tfirst_over_time",
  "timestamp_with_name tlast_change_over_time tlast_over_time tmax_over_time tmin_over_time",
  "zscore_over_time bitmap_and bitmap_or bitmap_xor buckets_limit drop_common_labels",
  "drop_empty_series end histogram_quantiles interpolate keep_last_value keep_next_value",
  "label_graphite_group label_del label_keep label_lowercase label_map label_match",
  "label_mismatch label_transform label_uppercase label_value label_values labels_equal",
  "limit_offset now prometheus_buckets rand rand_exponential rand_normal range_avg range_first",
  "range_last range_linear_regression range_mad range_max range_median range_min",
  "range_normalize range_quantile range_stddev range_stdvar range_sum range_trim_outliers",
  "range_trim_spikes range_trim_zscore range_zscore remove_resets running_avg running_max",
  "running_min running_sum smooth_exponential sort_by_label_numeric",
  "sort_by_label_numeric_desc start step timezone_offset union any bottomk_avg bottomk_max",
  "bottomk_median bottomk_last bottomk_min distinct geomean histogram mad mode outliers_iqr",
  "outliers_mad outliersk quantiles share sum2 topk_avg topk_max topk_median topk_last",
  "topk_min utilization zscore",
]
  .join(" ")
  .split(" ");

function functionInstead(name: string): string {
  return METRICSQL_FUNCTIONS[name] ?? PLAIN_PROMQL;
}

function isMetricsqlFunction(name: string): boolean {
  return name in METRICSQL_FUNCTIONS || OTHER_METRICSQL_FUNCTIONS.includes(name);
}

/** MetricsQL's binary operators and modifiers that are words PromQL does not know. */
const METRICSQL_WORDS: Record<string, { what: string; instead: string }> = {
  default: {
    what: "PromQL has no `default` operator",
    instead: "`A or vector(0)` (or `A or on() vector(N)`) in place of `A default N`",
  },
  if: { what: "PromQL has no `if` operator", instead: "`A and B` in place of `A if B`" },
  ifnot: {
    what: "PromQL has no `ifnot` operator",
    instead: "`A unless B` in place of `A ifnot B`",
  },
  keep_metric_names: {
    what: "PromQL has no `keep_metric_names` modifier",
    instead: "leave it out: slo's queries need no metric name in their result",
  },
  limit: {
    what: "PromQL has no `limit N` after an aggregation",
    instead: "topk(N, ...) or leave it out: slo sums every series anyway",
  },
};

/** MetricsQL's number suffixes: `1Ki` is 1024, `1K` 1000. */
const NUMBER_SUFFIXES: Record<string, number> = {
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

const DURATION_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
  y: 31_536_000_000,
};

/** `1Ki`, `1.5m`, `[1i]`: a number followed at once by a word PromQL does not take there. */
function numberWithSuffix(
  number: Token,
  suffix: Token,
  inBrackets: boolean,
): MetricsqlConstruct | null {
  if (suffix.from !== number.to) return null;
  const value = Number(number.text.replaceAll("_", ""));
  const written = `${number.text}${suffix.text}`;
  if (inBrackets && suffix.text === "i") {
    return {
      offset: number.from,
      what: `PromQL has no step units (\`${written}\`: a number of query steps)`,
      instead: "a duration such as `[5m]`",
    };
  }
  const factor = NUMBER_SUFFIXES[suffix.text];
  if (!inBrackets && factor !== undefined) {
    return {
      offset: number.from,
      what: `PromQL numbers take no suffix (\`${written}\`)`,
      instead: `the plain number: ${written} is ${value * factor}`,
    };
  }
  const unit = DURATION_UNIT_MS[suffix.text];
  if (inBrackets && unit !== undefined && number.text.includes(".")) {
    return {
      offset: number.from,
      what: `PromQL durations are whole numbers (\`${written}\`)`,
      instead: `whole units: ${written} is ${formatPromDuration(value * unit)}`,
    };
  }
  return null;
}

function wordConstruct(tokens: Token[], i: number, depth: Depth): MetricsqlConstruct | null {
  const t = tokens[i]!;
  const next = tokens[i + 1];
  const name = t.text.toLowerCase();
  if (i === 0 && name === "with" && next?.text === "(") {
    return {
      offset: t.from,
      what: "PromQL has no `WITH (...)` templates",
      instead: "the query with each template's expression written out where its name is used",
    };
  }
  if (next?.text === "(" && isMetricsqlFunction(name)) {
    return {
      offset: t.from,
      what: `PromQL has no function ${name}()`,
      instead: functionInstead(name),
    };
  }
  if (name === "or" && depth.braces > 0) {
    return {
      offset: t.from,
      what: "PromQL has no `or` between label filters",
      instead: 'one regexp filter (`job=~"a|b"`) or two selectors joined by `or`',
    };
  }
  const word = METRICSQL_WORDS[name];
  return word && depth.braces === 0 ? { offset: t.from, ...word } : null;
}

interface Depth {
  braces: number;
  brackets: number;
}

function track(depth: Depth, t: Token): void {
  if (t.kind !== "punct") return;
  if (t.text === "{") depth.braces++;
  else if (t.text === "}") depth.braces = Math.max(0, depth.braces - 1);
  else if (t.text === "[") depth.brackets++;
  else if (t.text === "]") depth.brackets = Math.max(0, depth.brackets - 1);
}

/** Every MetricsQL construct in a query, in text order. */
export function metricsqlConstructs(text: string): MetricsqlConstruct[] {
  const tokens = tokenize(text);
  const found: MetricsqlConstruct[] = [];
  const depth: Depth = { braces: 0, brackets: 0 };
  tokens.forEach((t, i) => {
    track(depth, t);
    const next = tokens[i + 1];
    const construct =
      t.kind === "word"
        ? wordConstruct(tokens, i, depth)
        : t.kind === "number" && next?.kind === "word"
          ? numberWithSuffix(t, next, depth.brackets > 0)
          : null;
    if (construct) found.push(construct);
  });
  return found;
}

/**
 * The MetricsQL construct at which PromQL's grammar stopped (the error at
 * `errorOffset` lies between the construct's start and the next token); null
 * when the error is elsewhere: then it is a PromQL mistake, said as such.
 */
export function metricsqlAt(text: string, errorOffset: number): MetricsqlConstruct | null {
  const constructs = metricsqlConstructs(text);
  for (const c of constructs) {
    if (errorOffset < c.offset) return null;
    if (errorOffset <= constructEnd(text, c)) return c;
  }
  return null;
}

/** Where PromQL may stop on a construct: its word or number and suffix, and a `(` after it. */
function constructEnd(text: string, c: MetricsqlConstruct): number {
  const rest = /^[A-Za-z0-9_:.]*\s*\(?/.exec(text.slice(c.offset))?.[0] ?? "";
  return c.offset + rest.length;
}
