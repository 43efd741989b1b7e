/**
 * A file-system error in words a user reads, for every place slo reads or
 * writes the user's files (SLO files, --out, --state and its lock). One
 * table, so the same failure reads the same everywhere.
 */

const REASONS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "permission denied",
  EROFS: "read-only file system",
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  ENOENT: "no such file",
  ELOOP: "a symlink loop (following its links leads back to where they started)",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of its path is a file, not a folder",
  EIO: "input/output error",
};

/** Creating a file or folder: a file where a folder must go is "in the way". */
const WRITING: Record<string, string> = {
  ENOTDIR: "a file is in the way (a folder was expected)",
  EEXIST: "a file is in the way (a folder was expected)",
};

function codeOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

/** Why reading (or, with "write", writing) failed, in words; the error's own message for codes not in the table. */
export function fileErrorReason(error: unknown, doing: "read" | "write" = "read"): string {
  const code = codeOf(error);
  const words = code
    ? ((doing === "write" ? WRITING[code] : undefined) ?? REASONS[code])
    : undefined;
  if (words) return words;
  return error instanceof Error ? error.message : String(error);
}

/** The same, followed by the code to search for: `no space left on device (ENOSPC)`. */
export function fileErrorReasonWithCode(error: unknown, doing: "read" | "write" = "read"): string {
  const code = codeOf(error);
  const words = fileErrorReason(error, doing);
  return code && (REASONS[code] || WRITING[code]) ? `${words} (${code})` : words;
}
