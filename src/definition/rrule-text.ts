/**
 * An RFC 5545 RRULE as a correction writes it, checked part by part before
 * the rrule package reads it: the package takes `BYDAY=XX` or `FREQ=WEEKY`
 * without a word and recurs wrongly, so each part is named where it is
 * wrong. The recurrence itself is the package's; nothing here recurs.
 */

export interface RruleProblem {
  message: string;
  /** the character of the written text the problem starts at */
  offset: number;
  hint?: string;
}

export type RruleText = { rule: string } | { problem: RruleProblem };

const FREQUENCIES = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

const positiveInteger = (v: string) =>
  /^[1-9]\d{0,8}$/.test(v) ? undefined : "a whole number from 1";

function integerList(min: number, max: number, signed: boolean): (v: string) => string | undefined {
  const what = signed
    ? `a comma-separated list of ${min} to ${max} or -${max} to -${min}`
    : `a comma-separated list of ${min} to ${max}`;
  return (v) =>
    v.split(",").every((n) => {
      if (!(signed ? /^[+-]?\d{1,3}$/ : /^\d{1,2}$/).test(n)) return false;
      const abs = Math.abs(Number(n));
      return abs >= min && abs <= max && (min > 0 || !n.startsWith("-"));
    })
      ? undefined
      : what;
}

const PART_VALUES: Record<string, (value: string) => string | undefined> = {
  FREQ: (v) => (FREQUENCIES.includes(v) ? undefined : `one of ${FREQUENCIES.join(", ")}`),
  INTERVAL: positiveInteger,
  COUNT: positiveInteger,
  UNTIL: (v) =>
    /^\d{8}(T\d{6}Z?)?$/.test(v)
      ? undefined
      : "a date like 20261231 or a date and time like 20261231T235959Z",
  BYSECOND: integerList(0, 59, false),
  BYMINUTE: integerList(0, 59, false),
  BYHOUR: integerList(0, 23, false),
  BYDAY: (v) =>
    v.split(",").every((d) => {
      const m = /^([+-]?\d{1,2})?([A-Z]{2})$/.exec(d);
      return m !== null && WEEKDAYS.includes(m[2]!) && (m[1] === undefined || Number(m[1]) !== 0);
    })
      ? undefined
      : `a comma-separated list of weekdays (${WEEKDAYS.join(", ")}), each maybe after a position like 1MO or -1FR`,
  BYMONTHDAY: integerList(1, 31, true),
  BYYEARDAY: integerList(1, 366, true),
  BYWEEKNO: integerList(1, 53, true),
  BYMONTH: integerList(1, 12, false),
  BYSETPOS: integerList(1, 366, true),
  WKST: (v) => (WEEKDAYS.includes(v) ? undefined : `one of ${WEEKDAYS.join(", ")}`),
};

/**
 * `FREQ=WEEKLY;BYDAY=SU`, or with an `RRULE:` prefix: the rule without it, in
 * upper case, or the first part that is wrong.
 */
export function readRruleText(written: string): RruleText {
  const lead = written.length - written.trimStart().length;
  let text = written.trim();
  let offset = lead;
  if (/^DTSTART/i.test(text) || /(^|[\n;])\s*DTSTART/i.test(text)) {
    return {
      problem: {
        message: "DTSTART does not belong in the rule: the correction's start is its start",
        offset: Math.max(0, written.search(/DTSTART/i)),
        hint: 'write the first period\'s start as start: "2026-05-10 02:00" and the rule as FREQ=WEEKLY;BYDAY=SU',
      },
    };
  }
  const prefix = /^RRULE:/i.exec(text);
  if (prefix) {
    text = text.slice(prefix[0].length);
    offset += prefix[0].length;
  }
  const seen = new Set<string>();
  let at = offset;
  for (const part of text.split(";")) {
    const problem = partProblem(part, seen);
    if (problem) return { problem: { ...problem, offset: at } };
    at += part.length + 1;
  }
  if (!seen.has("FREQ")) {
    return {
      problem: {
        message: "the rule needs FREQ (SECONDLY to YEARLY), e.g. FREQ=WEEKLY;BYDAY=SU",
        offset,
      },
    };
  }
  if (seen.has("COUNT") && seen.has("UNTIL")) {
    return {
      problem: { message: "give COUNT or UNTIL, not both (RFC 5545)", offset },
    };
  }
  return { rule: text.toUpperCase() };
}

function partProblem(part: string, seen: Set<string>): Omit<RruleProblem, "offset"> | undefined {
  const eq = part.indexOf("=");
  const name = (eq < 0 ? part : part.slice(0, eq)).trim().toUpperCase();
  const value =
    eq < 0
      ? ""
      : part
          .slice(eq + 1)
          .trim()
          .toUpperCase();
  const check = PART_VALUES[name];
  if (!check) {
    return {
      message: `${part.trim() || "(empty)"}: unknown part; expected NAME=VALUE with a name of ${Object.keys(PART_VALUES).join(", ")}`,
    };
  }
  if (seen.has(name)) return { message: `${name} is given twice` };
  seen.add(name);
  const expected = eq < 0 ? "a value" : check(value);
  return expected === undefined
    ? undefined
    : { message: `${part.trim()}: expected ${name}=${expected}` };
}
