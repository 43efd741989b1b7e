/**
 * Appended lines for the cache bench: the bench's own lines moved to later
 * times, so a rerun has something new to read that its windows count.
 */

const TIME_FIELD = /"t":"([^"]+)"/;

/** A bench timestamp (RFC 3339, 9 fraction digits) as whole ms and the 6 digits below them. */
function parseTime(text: string): { ms: number; subMs: string } {
  const ms = Date.parse(`${text.slice(0, 23)}Z`);
  if (Number.isNaN(ms)) throw new Error(`not a bench timestamp: ${text}`);
  return { ms, subMs: text.slice(23, 29).padEnd(6, "0") };
}

/**
 * The lines, in their order, with their `t` spread over the open interval
 * (fromMs, toMs): the first line's time maps near fromMs, the last's near
 * toMs, linearly in between, keeping each line's sub-millisecond digits. A
 * whole minute on both ends (what slo's cache needs) and every line
 * strictly inside, so a run `--at toMs` counts them all.
 */
export function retimeLines(lines: string[], fromMs: number, toMs: number): string {
  const times = lines.map((line) => {
    const match = TIME_FIELD.exec(line);
    if (!match) throw new Error(`no "t" in line: ${line.slice(0, 80)}`);
    return parseTime(match[1]!);
  });
  if (times.length === 0) return "";
  const first = times[0]!.ms;
  const span = Math.max(1, times.at(-1)!.ms - first);
  // ms in [fromMs + 1, toMs - 1]; the sub-ms digits keep it under toMs
  const room = toMs - fromMs - 2;
  return lines
    .map((line, i) => {
      // clamped: a line out of order stays inside the interval too
      const share = Math.min(1, Math.max(0, (times[i]!.ms - first) / span));
      const ms = fromMs + 1 + Math.floor(share * room);
      const t = `${new Date(ms).toISOString().slice(0, 23)}${times[i]!.subMs}Z`;
      return `${line.replace(TIME_FIELD, `"t":"${t}"`)}\n`;
    })
    .join("");
}
