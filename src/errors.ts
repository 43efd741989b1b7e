/**
 * Errors are values: a code that decides the exit status, a message for the
 * user, and where in which file the problem is. Only the CLI and the Action
 * turn them into exit codes (see exitCodeFor).
 */

export type SloErrorCode =
  /** the SLO files are wrong: YAML, schema, cross-references */
  | "spec"
  /** the command line is wrong */
  | "usage"
  /** a source (logs, Prometheus, Loki) could not be read */
  | "source"
  /** a report or notification could not be delivered */
  | "delivery"
  /** a bug in slo */
  | "internal";

export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface SloErrorInit {
  code: SloErrorCode;
  message: string;
  file?: string | undefined;
  line?: number | undefined;
  col?: number | undefined;
  hint?: string | undefined;
}

export class SloError extends Error {
  readonly code: SloErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly col: number | undefined;
  readonly hint: string | undefined;

  constructor(init: SloErrorInit) {
    super(init.message);
    this.name = "SloError";
    this.code = init.code;
    this.file = init.file;
    this.line = init.line;
    this.col = init.col;
    this.hint = init.hint;
  }

  /** `file:line:col: message (hint)`, the form editors and CI annotate. */
  format(): string {
    const where = this.file
      ? `${this.file}${this.line ? `:${this.line}:${this.col ?? 1}` : ""}: `
      : "";
    return `${where}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ""}`;
  }
}

/** Several problems found at once (validation reports every one). */
export class SloErrors extends Error {
  readonly errors: SloError[];
  constructor(errors: SloError[]) {
    super(errors.map((e) => e.format()).join("\n"));
    this.name = "SloErrors";
    this.errors = errors;
  }
}

export function specError(message: string, at?: Partial<SourcePosition>, hint?: string): SloError {
  return new SloError({ code: "spec", message, ...at, hint });
}

export function sourceError(message: string, hint?: string): SloError {
  return new SloError({ code: "source", message, hint });
}

export function usageError(message: string, hint?: string): SloError {
  return new SloError({ code: "usage", message, hint });
}

export function deliveryError(message: string, hint?: string): SloError {
  return new SloError({ code: "delivery", message, hint });
}

/** The exit-code table of `slo check` and friends. */
export const EXIT = {
  ok: 0,
  fail: 1,
  usage: 2,
  source: 3,
  internal: 70,
} as const;

export function exitCodeFor(error: unknown): number {
  const code = error instanceof SloErrors ? error.errors[0]?.code : (error as SloError)?.code;
  switch (code) {
    case "spec":
    case "usage":
      return EXIT.usage;
    case "source":
    case "delivery":
      return EXIT.source;
    default:
      return EXIT.internal;
  }
}

/** Wrap anything thrown into an SloError, keeping SloErrors as they are. */
export function toSloError(error: unknown): SloError {
  if (error instanceof SloError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SloError({
    code: "internal",
    message: `internal error: ${message}`,
    hint: "this is a bug in slo; please report it with the command you ran",
  });
}
