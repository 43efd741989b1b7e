/**
 * Times written the way a Go layout says (`02/Jan/2006:15:04:05 -0700`),
 * read as Go's time.Parse reads them, for the logs source's
 * `timestamp.format`: the layout is checked when the SLO file loads, and
 * each line's time text is read with it. Promtail's timestamp stage takes
 * the same layouts, so a format that works there works here.
 */

/** Layouts known by name: Go's own constants, and clf for access logs (nginx $time_local, Apache %t). */
export const NAMED_TIME_LAYOUTS: Readonly<Record<string, string>> = {
  clf: "02/Jan/2006:15:04:05 -0700",
  ANSIC: "Mon Jan _2 15:04:05 2006",
  UnixDate: "Mon Jan _2 15:04:05 MST 2006",
  RubyDate: "Mon Jan 02 15:04:05 -0700 2006",
  RFC822: "02 Jan 06 15:04 MST",
  RFC822Z: "02 Jan 06 15:04 -0700",
  RFC850: "Monday, 02-Jan-06 15:04:05 MST",
  RFC1123: "Mon, 02 Jan 2006 15:04:05 MST",
  RFC1123Z: "Mon, 02 Jan 2006 15:04:05 -0700",
  RFC3339: "2006-01-02T15:04:05Z07:00",
  RFC3339Nano: "2006-01-02T15:04:05.999999999Z07:00",
  DateTime: "2006-01-02 15:04:05",
};

type Field =
  | "longMonth"
  | "month"
  | "numMonth"
  | "zeroMonth"
  | "longWeekDay"
  | "weekDay"
  | "day"
  | "underDay"
  | "zeroDay"
  | "hour"
  | "hour12"
  | "zeroHour12"
  | "minute"
  | "zeroMinute"
  | "second"
  | "zeroSecond"
  | "longYear"
  | "year"
  | "PM"
  | "pm"
  | "zoneName"
  | "zone"
  | "fraction0"
  | "fraction9";

/** A piece of a layout: literal text, or a field of the time. */
export type LayoutChunk = { literal: string } | FieldChunk;

interface FieldChunk {
  field: Field;
  /** fractions: how many digits the layout writes */
  digits?: number;
  zone?: ZoneForm;
}

/** How a numeric zone is written: its parts, colons, and whether "Z" may stand for UTC. */
interface ZoneForm {
  seconds: boolean;
  minutes: boolean;
  colons: boolean;
  z: boolean;
}

export type CompiledLayout = { ok: true; chunks: LayoutChunk[] } | { ok: false; message: string };

const ZONE_FORMS: [string, ZoneForm][] = [
  ["Z07:00:00", { seconds: true, minutes: true, colons: true, z: true }],
  ["-07:00:00", { seconds: true, minutes: true, colons: true, z: false }],
  ["Z070000", { seconds: true, minutes: true, colons: false, z: true }],
  ["-070000", { seconds: true, minutes: true, colons: false, z: false }],
  ["Z07:00", { seconds: false, minutes: true, colons: true, z: true }],
  ["-07:00", { seconds: false, minutes: true, colons: true, z: false }],
  ["Z0700", { seconds: false, minutes: true, colons: false, z: true }],
  ["-0700", { seconds: false, minutes: true, colons: false, z: false }],
  ["Z07", { seconds: false, minutes: false, colons: false, z: true }],
  ["-07", { seconds: false, minutes: false, colons: false, z: false }],
];

/** Tokens tried in Go's order (nextStdChunk): longer first where one starts another. */
const TOKENS: [string, Field][] = [
  ["January", "longMonth"],
  ["Monday", "longWeekDay"],
  ["2006", "longYear"],
  ["_2", "underDay"],
  ["Jan", "month"],
  ["Mon", "weekDay"],
  ["MST", "zoneName"],
  ["01", "zeroMonth"],
  ["02", "zeroDay"],
  ["03", "zeroHour12"],
  ["04", "zeroMinute"],
  ["05", "zeroSecond"],
  ["06", "year"],
  ["15", "hour"],
  ["1", "numMonth"],
  ["2", "day"],
  ["3", "hour12"],
  ["4", "minute"],
  ["5", "second"],
  ["PM", "PM"],
  ["pm", "pm"],
];

function startsWithLowerCase(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 97 && c <= 122;
}

/** The field at layout[at], with its length, or null when layout[at] is literal text. */
function fieldAt(layout: string, at: number): { chunk: LayoutChunk; length: number } | null {
  for (const [text, zone] of ZONE_FORMS) {
    if (layout.startsWith(text, at)) return { chunk: { field: "zone", zone }, length: text.length };
  }
  const c = layout[at];
  if ((c === "." || c === ",") && (layout[at + 1] === "0" || layout[at + 1] === "9")) {
    let end = at + 1;
    while (layout[end] === layout[at + 1]) end++;
    // only a fraction when the run of digits ends here, as in Go
    if (!/[0-9]/.test(layout[end] ?? "")) {
      const field = layout[at + 1] === "0" ? "fraction0" : "fraction9";
      return { chunk: { field, digits: end - at - 1 }, length: end - at };
    }
  }
  for (const [text, field] of TOKENS) {
    if (!layout.startsWith(text, at)) continue;
    // Jan and Mon only when no lower-case letter follows (Janet is text)
    if ((text === "Jan" || text === "Mon") && startsWithLowerCase(layout, at + 3)) continue;
    return { chunk: { field }, length: text.length };
  }
  return null;
}

/**
 * A Go layout (or a name of NAMED_TIME_LAYOUTS) as chunks. Refused: a
 * layout without a year, a month and a day (Go would put the time in year 0
 * or January), and the day of the year (002, __2), which slo does not read.
 */
export function compileTimeLayout(layoutOrName: string): CompiledLayout {
  const layout = NAMED_TIME_LAYOUTS[layoutOrName] ?? layoutOrName;
  if (/002|__2/.test(layout)) {
    return { ok: false, message: "the day of the year (002, __2) is not supported in a layout" };
  }
  const chunks: LayoutChunk[] = [];
  let literal = "";
  for (let at = 0; at < layout.length; ) {
    const found = fieldAt(layout, at);
    if (found === null) {
      literal += layout[at];
      at++;
      continue;
    }
    if (literal !== "") chunks.push({ literal });
    literal = "";
    chunks.push(found.chunk);
    at += found.length;
  }
  if (literal !== "") chunks.push({ literal });
  const fields = new Set(chunks.map((c) => ("field" in c ? c.field : "")));
  const has = (...names: Field[]) => names.some((n) => fields.has(n));
  if (!has("longYear", "year") || !has("longMonth", "month", "numMonth", "zeroMonth")) {
    return { ok: false, message: missingDateMessage(layout) };
  }
  if (!has("day", "underDay", "zeroDay")) return { ok: false, message: missingDateMessage(layout) };
  return { ok: true, chunks };
}

function missingDateMessage(layout: string): string {
  return `the layout ${JSON.stringify(layout)} needs a year (2006 or 06), a month (01, 1, Jan or January) and a day (02, 2 or _2), written as in Go's reference time Mon Jan 2 15:04:05 MST 2006, e.g. clf or "02/Jan/2006:15:04:05 -0700"`;
}

// ---------------------------------------------------------------------------
// Reading a time

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const SHORT_MONTHS = MONTHS.map((m) => m.slice(0, 3));
const SHORT_DAYS = DAYS.map((d) => d.slice(0, 3));

/** What has been read of a time so far. */
interface Reading {
  value: string;
  at: number;
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanos: number;
  offsetSeconds: number;
  half: "" | "am" | "pm";
}

/** Fields are read by these; each returns false when the text is not what it expects. */
type FieldReader = (r: Reading, chunk: FieldChunk, next?: LayoutChunk) => boolean;

function isDigit(text: string, at: number): boolean {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
}

/** Go's getnum: one or two digits, exactly two when fixed. -1 when not there. */
function number(r: Reading, fixed: boolean): number {
  if (!isDigit(r.value, r.at)) return -1;
  if (!isDigit(r.value, r.at + 1)) {
    if (fixed) return -1;
    r.at += 1;
    return r.value.charCodeAt(r.at - 1) - 48;
  }
  const n = Number(r.value.slice(r.at, r.at + 2));
  r.at += 2;
  return n;
}

/** r[key] = n when n is in [low, high]; false (r unchanged) when it is not. */
function store(
  r: Reading,
  key: "month" | "day" | "hour" | "minute" | "second",
  n: number,
  low: number,
  high: number,
): boolean {
  if (n < low || n > high) return false;
  r[key] = n;
  return true;
}

/** Go's lookup: a name from the list, matched without regard to case. -1 when none. */
function lookup(r: Reading, names: string[]): number {
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    if (r.value.slice(r.at, r.at + name.length).toLowerCase() === name.toLowerCase()) {
      r.at += name.length;
      return i;
    }
  }
  return -1;
}

/** A fraction of a second at r.at: "." or "," and digits, in nanoseconds. */
function fraction(r: Reading, digits: number): boolean {
  const c = r.value[r.at];
  if (c !== "." && c !== ",") return false;
  const text = r.value.slice(r.at + 1, r.at + 1 + digits);
  if (text.length !== digits || !/^[0-9]+$/.test(text)) return false;
  r.nanos = Number(text.slice(0, 9).padEnd(9, "0"));
  r.at += 1 + digits;
  return true;
}

/** How many digits follow r.at + 1. */
function digitRun(r: Reading): number {
  let n = 0;
  while (isDigit(r.value, r.at + 1 + n)) n++;
  return n;
}

function readZone(r: Reading, form: ZoneForm): boolean {
  if (form.z && r.value[r.at] === "Z") {
    r.at++;
    r.offsetSeconds = 0;
    return true;
  }
  const sign = r.value[r.at];
  if (sign !== "+" && sign !== "-") return false;
  r.at++;
  const parts = [form.minutes, form.seconds].filter(Boolean).length + 1;
  let seconds = 0;
  for (let part = 0; part < parts; part++) {
    if (part > 0 && form.colons) {
      if (r.value[r.at] !== ":") return false;
      r.at++;
    }
    const n = number(r, true);
    if (n < 0 || n > (part === 0 ? 24 : 60)) return false;
    seconds += n * [3600, 60, 1][part]!;
  }
  r.offsetSeconds = sign === "-" ? -seconds : seconds;
  return true;
}

const FIELD_READERS: Record<Field, FieldReader> = {
  longYear: (r) => {
    const text = r.value.slice(r.at, r.at + 4);
    if (!/^[0-9]{4}$/.test(text)) return false;
    r.year = Number(text);
    r.at += 4;
    return true;
  },
  year: (r) => {
    const n = number(r, true);
    r.year = n >= 69 ? 1900 + n : 2000 + n;
    return n >= 0;
  },
  longMonth: (r) => store(r, "month", lookup(r, MONTHS) + 1, 1, 12),
  month: (r) => store(r, "month", lookup(r, SHORT_MONTHS) + 1, 1, 12),
  numMonth: (r) => store(r, "month", number(r, false), 1, 12),
  zeroMonth: (r) => store(r, "month", number(r, true), 1, 12),
  longWeekDay: (r) => lookup(r, DAYS) >= 0,
  weekDay: (r) => lookup(r, SHORT_DAYS) >= 0,
  day: (r) => store(r, "day", number(r, false), 1, 31),
  underDay: (r) => {
    if (r.value[r.at] === " ") r.at++;
    return store(r, "day", number(r, false), 1, 31);
  },
  zeroDay: (r) => store(r, "day", number(r, true), 1, 31),
  hour: (r) => store(r, "hour", number(r, false), 0, 23),
  hour12: (r) => store(r, "hour", number(r, false), 0, 12),
  zeroHour12: (r) => store(r, "hour", number(r, true), 0, 12),
  minute: (r) => store(r, "minute", number(r, false), 0, 59),
  zeroMinute: (r) => store(r, "minute", number(r, true), 0, 59),
  second: (r, _chunk, next) => readSecond(r, false, next),
  zeroSecond: (r, _chunk, next) => readSecond(r, true, next),
  PM: (r) => readHalf(r, "AM", "PM"),
  pm: (r) => readHalf(r, "am", "pm"),
  // only UTC and GMT: any other abbreviation names no offset slo can know
  zoneName: (r) => {
    const name = r.value.slice(r.at, r.at + 3);
    if (name !== "UTC" && name !== "GMT") return false;
    r.at += 3;
    r.offsetSeconds = 0;
    return true;
  },
  zone: (r, chunk) => readZone(r, chunk.zone!),
  fraction0: (r, chunk) => fraction(r, chunk.digits!),
  // optional: absent, or any number of digits
  fraction9: (r) => {
    const c = r.value[r.at];
    if ((c !== "." && c !== ",") || !isDigit(r.value, r.at + 1)) return true;
    return fraction(r, digitRun(r));
  },
};

/** Seconds, and a fraction after them even where the layout has none (as Go does). */
function readSecond(r: Reading, fixed: boolean, next: LayoutChunk | undefined): boolean {
  if (!store(r, "second", number(r, fixed), 0, 59)) return false;
  const c = r.value[r.at];
  const fractionNext = next !== undefined && "field" in next && next.field.startsWith("fraction");
  if ((c === "." || c === ",") && isDigit(r.value, r.at + 1) && !fractionNext) {
    return fraction(r, digitRun(r));
  }
  return true;
}

function readHalf(r: Reading, am: string, pm: string): boolean {
  const text = r.value.slice(r.at, r.at + 2);
  if (text !== am && text !== pm) return false;
  r.half = text === am ? "am" : "pm";
  r.at += 2;
  return true;
}

/** Go's skip: literal text, where a run of spaces matches a run of spaces. */
function skipLiteral(r: Reading, literal: string): boolean {
  let i = 0;
  while (i < literal.length) {
    if (literal[i] === " ") {
      if (r.at < r.value.length && r.value[r.at] !== " ") return false;
      while (literal[i] === " ") i++;
      while (r.value[r.at] === " ") r.at++;
      continue;
    }
    if (r.value[r.at] !== literal[i]) return false;
    i++;
    r.at++;
  }
  return true;
}

/**
 * The instant `value` names, read with a compiled layout: epoch
 * milliseconds, fractional below a millisecond; null when the text does not
 * fit the layout (or names a day the month does not have). A layout without
 * a zone reads the time as UTC, as Go does.
 */
export function parseWithLayout(chunks: LayoutChunk[], value: string): number | null {
  const r: Reading = {
    value,
    at: 0,
    year: 0,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    nanos: 0,
    offsetSeconds: 0,
    half: "",
  };
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    const ok =
      "literal" in chunk
        ? skipLiteral(r, chunk.literal)
        : FIELD_READERS[chunk.field](r, chunk, chunks[i + 1]);
    if (!ok) return null;
  }
  if (r.at !== value.length) return null;
  if (r.half === "pm" && r.hour < 12) r.hour += 12;
  if (r.half === "am" && r.hour === 12) r.hour = 0;
  if (r.day > daysInMonth(r.year, r.month)) return null;
  const wholeMs =
    daysFromCivil(r.year, r.month, r.day) * 86_400_000 +
    (r.hour * 3600 + r.minute * 60 + r.second - r.offsetSeconds) * 1000;
  const fractionMs = r.nanos / 1e6;
  const fractionWhole = Math.floor(fractionMs);
  return withFraction(wholeMs + fractionWhole, fractionMs - fractionWhole);
}

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  return month === 2 && isLeapYear(year) ? 29 : MONTH_DAYS[month - 1]!;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/**
 * whole + fraction (0 <= fraction < 1) such that a time after a whole
 * millisecond stays after it. Near 2026 a double of epoch ms only resolves
 * about 0.24 µs, so 12:00:00.000000001 would round down to 12:00:00 and fall
 * inside a window (start, 12:00:00] it is outside of; window bounds are whole
 * milliseconds, so nudging it just above the whole millisecond keeps every
 * comparison with them exact.
 */
export function withFraction(whole: number, fraction: number): number {
  const t = whole + fraction;
  if (fraction > 0 && t <= whole) return whole + Math.abs(whole) * Number.EPSILON;
  return t;
}
