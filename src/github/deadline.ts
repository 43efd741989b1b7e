/**
 * One deadline for a run's GitHub reporting. Without it a GitHub that never
 * answers costs 30 s × 4 attempts for every operation (451 s for a gate on
 * a PR); with it, the requests stop when it passes (aborted, not retried)
 * and the operations still to come are skipped, all said in one warning.
 */

import { formatDuration } from "../definition/duration.js";
import { MAX_TIMER_MS } from "../limits.js";

/** What a request the deadline stopped rejects with: an AbortError, which Octokit's retry plugin leaves alone. */
class DeadlinePassed extends Error {
  override name = "AbortError";
}

export class GitHubDeadline {
  readonly ms: number;
  /** requests the deadline stopped: an operation that failed meanwhile was cut short, not refused */
  cut = 0;
  /** the operations it cut short or skipped, in order */
  readonly skipped: string[] = [];
  private readonly controller = new AbortController();
  private readonly endsAt: number;
  private readonly timer: ReturnType<typeof setTimeout>;

  constructor(ms: number) {
    this.ms = Math.min(ms, MAX_TIMER_MS);
    this.endsAt = Date.now() + this.ms;
    this.timer = setTimeout(
      () =>
        this.controller.abort(
          new DeadlinePassed(`none within the ${formatDuration(this.ms)} deadline`),
        ),
      this.ms,
    );
    // Reporting that finished early must not keep the process waiting for it.
    this.timer.unref();
  }

  /** Aborts every request in flight when the deadline passes. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get passed(): boolean {
    return this.controller.signal.aborted;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /**
   * One operation, which returns its failure or null: skipped once the
   * deadline has passed, and a failure while the deadline stopped one of its
   * requests is the deadline's, said once in `warning`, not on its own.
   */
  async run(what: string, operation: () => Promise<string | null>): Promise<string | null> {
    if (this.passed) {
      this.skipped.push(what);
      return null;
    }
    const cutBefore = this.cut;
    const failure = await operation();
    if (failure !== null && this.cut > cutBefore) {
      this.skipped.push(what);
      return null;
    }
    return failure;
  }

  /** The one warning for what the deadline skipped, or null. */
  warning(): string | null {
    if (this.skipped.length === 0) return null;
    const list =
      this.skipped.length === 1
        ? this.skipped[0]
        : `${this.skipped.slice(0, -1).join(", ")} and ${this.skipped.at(-1)}`;
    return `GitHub did not answer within the ${formatDuration(this.ms)} reporting deadline: skipped ${list}. Give it longer with the Action's github-deadline input (or --github-deadline), e.g. 2m.`;
  }

  /** Done before the deadline: its timer goes. */
  dispose(): void {
    clearTimeout(this.timer);
  }
}
