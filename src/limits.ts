/**
 * Every limit slo holds to so that memory and time stay bounded whatever the
 * input. Written once here; the README and docs/ state the same figures, and
 * every error that reports a limit names it from here.
 */

const MIB = 1024 * 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

/** An SLO file larger than this is refused before parsing (YAML takes about 100 bytes of memory per byte). */
export const MAX_SLO_FILE_BYTES = 4 * MIB;

/** What slo reads of git's answer listing the SLO files at another commit (`slo diff`, the PR review); past it, the review stops (exit 2). */
export const MAX_GIT_LISTING_BYTES = 64 * MIB;

/** YAML aliases one SLO file may expand: past it, an alias bomb. */
export const MAX_YAML_ALIASES = 100;

/** The longest SLO window: five years. */
export const MAX_WINDOW_MS = 5 * 366 * DAY_MS;

/** The earliest year a calendar window's start may name (Date reads years 0-99 as 19xx; no SLO counts from before). */
export const EARLIEST_CALENDAR_START_YEAR = 1900;

/** The most timeslices one window may hold (a 366-day window of 1-minute slices fits). */
export const MAX_TIMESLICES_PER_WINDOW = 1_000_000;

/** Samples of a sampled value one SLO reads (its window, alert windows and history together): past it the sample step grows to fit. */
export const MAX_SAMPLES_PER_SLO = 1_200_000;
/** Buckets `slo check` reads to judge whether one burn-rate rule held for its alertAfter (a 6-day window plus alertAfter fits at one minute). */
export const MAX_HELD_BUCKETS = 10_000;

/** Points per line of a report's burn-rate chart (each the highest rate of its step): 30 days of 5-minute buckets make 3-hour steps. */
export const MAX_BURN_RATE_POINTS = 240;

/** A log line longer than this is skipped and counted as over the limit. */
export const MAX_LINE_BYTES = 16 * MIB;

/** A value kept for a report (a breakdown value, a sample line) is cut to this many characters. */
export const MAX_REPORTED_VALUE_CHARS = 200;

/** Distinct values the breakdown of one SLO counts at once (space-saving counters); past it, counts are bounds. */
export const MAX_BREAKDOWN_VALUES = 1_000;

/** The largest `groupLimit`: each group is an SLO of its own in every output, with its own alerts. */
export const MAX_GROUP_LIMIT = 500;

/** Distinct values of a `groupBy` one logs read tallies exactly (each its own windows and buckets); the values past it are counted straight into "(other)". */
export const MAX_GROUP_VALUES_TALLIED = 2_000;

/**
 * The memory one logs read gives a grouped SLO's per-value windows and
 * buckets: with many buckets (slo report's minute buckets for alertAfter)
 * fewer values are tallied apart, never fewer than the SLO's groupLimit.
 */
export const MAX_GROUP_TALLY_BYTES = 64 * MIB;

/** A response body a source or target may send; past it the request fails. */
export const MAX_RESPONSE_BYTES = 64 * MIB;

/** How long `slo alerts` waits for another run's lock on the same `--state` file before giving up. */
export const STATE_LOCK_WAIT_MS = 60_000;

/** Redirects one request follows within its server's origin; a redirect to another origin is never followed. */
export const MAX_SAME_ORIGIN_REDIRECTS = 5;

/** Lines with Loki's `__error__` one SLO reads (a log query) to count them; past it the note says "at least". */
export const MAX_LOKI_ERROR_LINES = 1_000;

/** The longest wait a Node timer holds (about 24.8 days): a longer timeout or Retry-After waits this long. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Deploys one SLO's report attributes its budget to (the newest; older ones join "before the first deploy"): each costs the source three counts. */
export const MAX_DEPLOYS_REPORTED = 100;

/** Deploys one search for deploys keeps (the newest); a query that selects more selects more than the deploys. */
export const MAX_DEPLOYS_FOUND = 10_000;

/** Lines one Loki log query asks for (Loki's default max_entries_limit_per_query): more are read in pages. */
export const MAX_LOKI_LINES_PER_QUERY = 5_000;

/** GitHub deployments one run reads (newest first, each costing a few requests); past it the older ones are left out, with a warning. */
export const MAX_GITHUB_DEPLOYMENTS = 100;

/** Keys of a mapping named when a file is not an SLO file ("a mapping with keys a, b, c, d, e and 3 more"): the rest are counted. */
export const MAX_KEYS_NAMED_IN_ERRORS = 5;

/** OpenSLO's (and its Go SDK's) longest metadata.name and displayName: `slo convert --to openslo` shortens a name, refuses a longer displayName. */
export const OPENSLO_MAX_NAME_CHARS = 63;

/** OpenSLO's longest spec.description: `slo convert --to openslo` refuses a longer one. */
export const OPENSLO_MAX_DESCRIPTION_CHARS = 1050;

/** SLOs named in one error that lists them ("a, b, c, d, e and 3 more"): the rest are counted. */
export const MAX_SLOS_NAMED_IN_ERRORS = 5;

/** Alert episodes a report lists per SLO (pages before tickets, newest first); the rest are counted, and all are in the JSON report. */
export const MAX_EPISODES_SHOWN = 10;

/** The PR comment's hidden digest (each not-ok SLO's status and budget left, to say on the next run what changed): past it the worst are kept. */
export const MAX_COMMENT_DIGEST_CHARS = 4_096;

/** Changes named in the comment's "Since the last run" line ("a: budget left 20% → 12%; b now warning"): the rest are counted. */
export const MAX_CHANGES_NAMED = 10;

/** Periods one correction may have inside its SLO's window (an hourly one over 30 days fits): each period costs an HTTP source its own counts. */
export const MAX_CORRECTION_PERIODS_PER_WINDOW = 1_000;

/** Periods a report lists per correction (the newest that touched the window); the rest are counted. */
export const MAX_CORRECTION_PERIODS_REPORTED = 100;

/**
 * The log tally cache's one-minute buckets a cached request may hold per log
 * file, counting each group's own (buckets x (1 + groups)): 30 days with
 * about 45 groups fit. Past it the request is read cold and not cached.
 */
export const MAX_CACHE_CELLS = 2_000_000;

/** Breakdown counts (value x minute) a cached request may hold per log file; past it, read cold and not cached. */
export const MAX_CACHE_BREAKDOWN_ENTRIES = 200_000;

/**
 * How far past the latest instant a run needs the cache keeps events (a
 * later run's `at` moves on): one day. Events later than that are not kept,
 * and a run that needs their minutes reads the file again.
 */
export const CACHE_FUTURE_MS = 24 * 60 * 60 * 1000;
