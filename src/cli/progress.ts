/**
 * A progress line on stderr while sources read their input: bytes done of
 * the total, the rate, the time left. Shown only for work that takes more
 * than a second, only when stderr is a terminal (or when asked for with
 * --progress), and never on stdout, where reports go.
 */

export type ProgressCallback = (bytesDone: number, bytesTotal: number) => void;

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

export interface ProgressOptions {
  /** true: always (--progress); false: never (--no-progress); undefined: when the stream is a TTY */
  enabled?: boolean | undefined;
  /** for tests: a clock in milliseconds */
  now?: () => number;
  /** nothing is shown before this much time has passed (ms); default 1 s, 0 with enabled: true */
  delayMs?: number;
}

export interface ProgressLine {
  /** give this to the sources as onProgress; undefined when progress is off */
  onProgress: ProgressCallback | undefined;
  /** clear the line (on a TTY) once the work is done */
  finish(): void;
}

const DELAY_MS = 1000;
/** A terminal's line is redrawn at most this often; a log file gets a line at most this often. */
const TTY_INTERVAL_MS = 200;
const FILE_INTERVAL_MS = 1000;

export function progressLine(stream: ProgressStream, options: ProgressOptions = {}): ProgressLine {
  const tty = stream.isTTY === true;
  const enabled = options.enabled ?? tty;
  if (!enabled) return { onProgress: undefined, finish() {} };
  const now = options.now ?? (() => performance.now());
  // asked for explicitly: shown from the start, so even a short run says what it read
  const delayMs = options.delayMs ?? (options.enabled === true ? 0 : DELAY_MS);
  const interval = tty ? TTY_INTERVAL_MS : FILE_INTERVAL_MS;
  const started = now();
  let lastShown = Number.NEGATIVE_INFINITY;
  let shown = false;
  let last: [number, number] | null = null;
  let lastWritten: [number, number] | null = null;
  const show = (t: number, [done, total]: [number, number]) => {
    lastShown = t;
    shown = true;
    lastWritten = last;
    const text = describeProgress(done, total, t - started);
    // on a terminal the line is redrawn in place; elsewhere each update is a line of its own
    stream.write(tty ? `\r\x1b[2K${text}` : `${text}\n`);
  };
  return {
    onProgress(bytesDone, bytesTotal) {
      last = [bytesDone, bytesTotal];
      const t = now();
      if (t - started < delayMs || t - lastShown < interval) return;
      show(t, last);
    },
    finish() {
      if (!shown) return;
      shown = false;
      if (tty) stream.write("\r\x1b[2K");
      // a log keeps the final figures, not a stale half-way line
      else if (last !== null && last !== lastWritten) show(now(), last);
    },
  };
}

/** "reading 512 MB of 1.0 GB (50%), 340 MB/s, 2s left" */
export function describeProgress(bytesDone: number, bytesTotal: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? bytesDone / (elapsedMs / 1000) : 0;
  const parts = [`reading ${formatBytes(bytesDone)}`];
  if (bytesTotal > 0) {
    const percent = Math.min(100, Math.floor((bytesDone / bytesTotal) * 100));
    parts[0] += ` of ${formatBytes(bytesTotal)} (${percent}%)`;
  }
  parts.push(`${formatBytes(rate)}/s`);
  // a total only counts files: .gz sizes are compressed, stdin is not counted at all
  if (bytesTotal > 0 && rate > 0 && bytesDone <= bytesTotal) {
    parts.push(`${formatSeconds((bytesTotal - bytesDone) / rate)} left`);
  }
  return parts.join(", ");
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${Math.round(n / 1e6)} MB`;
  if (n >= 1e3) return `${Math.round(n / 1e3)} kB`;
  return `${Math.round(n)} B`;
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.ceil(s)}s`;
  const whole = Math.ceil(s);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, "0")}s`;
}
