/**
 * `--state FILE`: what each write-only target (a webhook) was last told, so a
 * rerun sends only what changed. Written after every delivery that
 * succeeded, atomically (a temporary file, fsync, rename): a run that crashes
 * between two deliveries leaves a file that records the first and not the
 * second, and the next run sends only the second. Each write re-reads the
 * file and changes only the entry delivered, so entries of SLOs and targets
 * this run did not evaluate are kept whoever wrote them.
 */

import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, readFile, readlink, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { z } from "zod";
import { deliveryError, SloError, usageError } from "../errors.js";
import { fileErrorReasonWithCode } from "../file-errors.js";

export const STATE_VERSION = 1;

const notifiedSchema = z.object({
  severity: z.enum(["page", "ticket"]),
  /** when the alert started firing */
  since: z.string(),
  /** when the target was last told */
  sentAt: z.string(),
});

const stateSchema = z.object({
  version: z.literal(STATE_VERSION),
  targets: z.record(z.string(), z.record(z.string(), notifiedSchema)),
});

export type Notified = z.infer<typeof notifiedSchema>;
export type AlertStateData = z.infer<typeof stateSchema>;

export function emptyState(): AlertStateData {
  return { version: STATE_VERSION, targets: {} };
}

/** A missing file is an empty state (the first run); a damaged one is an error, never a silent reset. */
export async function readStateFile(path: string): Promise<AlertStateData> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw usageError(`--state ${path}: cannot read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw damaged(path, "not JSON");
  }
  const parsed = stateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw damaged(path, `${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}`);
  }
  return parsed.data;
}

function damaged(path: string, why: string): SloError {
  return usageError(
    `--state ${path}: not an slo alert state file (${why})`,
    "point --state at the file a previous `slo alerts` wrote, or at a new path; deleting it makes the next run re-send every firing alert once",
  );
}

/** The temporary file a write of `path` goes through: `.<name>.<12 hex>.tmp` beside it. */
function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
}

function isTempOf(path: string, name: string): boolean {
  const prefix = `.${basename(path)}.`;
  return name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length));
}

/** Replace `path` with `text` so a reader sees the old file or the new one, never a part. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = tempPathOf(path);
  try {
    const handle = await open(temp, "w", 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    // A full disk fails the write, not the open: leave no part-written temp behind.
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Prove the state can be written before anything is sent: write what the
 * file would hold to a temporary file beside it, then remove it. Sending
 * first would deliver an alert that cannot be recorded, and every later run
 * would send it again.
 */
export async function checkStateWritable(path: string, text: string): Promise<void> {
  const temp = tempPathOf(path);
  try {
    await mkdir(dirname(path), { recursive: true });
    const handle = await open(temp, "wx", 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw unwritableState(path, error);
  } finally {
    await rm(temp, { force: true }).catch(() => {});
  }
}

/** Temporary files of writes a killed run never finished. Call with the state's lock held. */
export async function removeLeftoverTemps(path: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return; // no folder, no leftovers; a folder that cannot be read fails the write check
  }
  for (const name of names.filter((n) => isTempOf(path, n))) {
    await rm(join(dirname(path), name), { force: true });
  }
}

/** Before anything was sent: the user's --state points where nothing can be written (exit 2). */
export function unwritableState(path: string, error: unknown): SloError {
  if (error instanceof SloError) return error;
  return usageError(
    `--state ${path}: cannot be written in ${dirname(path)}: ${fileErrorReasonWithCode(error, "write")}; nothing was sent`,
    "point --state at a file in a folder this user can write, on a disk with free space",
  );
}

/**
 * During a run, after a delivery: exit 3, as for a target that fails halfway.
 * The same command succeeds once space is freed; the check before sending
 * already turned a path that can never be written into exit 2.
 */
function writeFailed(path: string, error: unknown): SloError {
  return deliveryError(
    `--state ${path}: cannot write: ${fileErrorReasonWithCode(error, "write")}; the message just delivered could not be recorded and the next run sends it again; nothing more was sent to webhooks`,
    "free space on that disk (or fix its permissions) and run again",
  );
}

/** The state of one run: read once, updated and written after each delivery. */
export class AlertStateStore {
  /** set once a write failed: nothing more may be sent that could not be recorded */
  private failure: SloError | undefined;

  private constructor(
    private readonly path: string | undefined,
    private data: AlertStateData,
  ) {}

  static async open(path: string | undefined): Promise<AlertStateStore> {
    return new AlertStateStore(path, path ? await readStateFile(path) : emptyState());
  }

  /** True when a state file backs this store. */
  get persistent(): boolean {
    return this.path !== undefined;
  }

  get(targetId: string): Map<string, Notified> {
    return new Map(Object.entries(this.data.targets[targetId] ?? {}));
  }

  /** Before each send: throws when a delivery could no longer be recorded. */
  assertWritable(): void {
    if (this.failure) throw this.failure;
  }

  /** Before the first send: the file can be written (exit 2 naming the path and the reason). */
  async checkWritable(): Promise<void> {
    if (this.path) await checkStateWritable(this.path, serialize(this.data));
  }

  /**
   * Record one delivery (null: the alert resolved) and write the file before
   * anything else is sent. Only this entry changes in the file as it is now.
   */
  async record(targetId: string, key: string, value: Notified | null): Promise<void> {
    this.assertWritable();
    if (!this.path) {
      this.data = withEntry(this.data, targetId, key, value);
      return;
    }
    const data = withEntry(await readStateFile(this.path), targetId, key, value);
    try {
      await writeFileAtomic(this.path, serialize(data));
    } catch (error) {
      this.failure = writeFailed(this.path, error);
      throw this.failure;
    }
    this.data = data;
  }
}

function serialize(data: AlertStateData): string {
  return `${JSON.stringify(data, null, 2)}\n`;
}

function withEntry(
  data: AlertStateData,
  targetId: string,
  key: string,
  value: Notified | null,
): AlertStateData {
  const target = { ...(data.targets[targetId] ?? {}) };
  if (value) target[key] = value;
  else delete target[key];
  const targets = { ...data.targets };
  if (Object.keys(target).length > 0) targets[targetId] = target;
  else delete targets[targetId];
  return { ...data, targets };
}

/** Links a --state path may go through before it is a loop. */
const MAX_STATE_LINKS = 40;

/**
 * The file a `--state` path names. Through symlinks, to the file they point
 * at (a state kept on a linked cache or volume is written there, not
 * replaced by a file in the link's place); a FIFO, socket or folder is
 * refused before anything is read, since reading a FIFO would wait forever.
 */
export async function stateFilePath(given: string): Promise<string> {
  let path = given;
  for (let links = 0; links < MAX_STATE_LINKS; links++) {
    const info = await lstat(path).catch(() => null);
    if (info === null || info.isFile()) return path;
    if (!info.isSymbolicLink()) {
      const what = info.isDirectory()
        ? "a folder"
        : info.isFIFO()
          ? "a FIFO"
          : "not a regular file";
      throw usageError(
        `--state ${given} is ${what}; the state is a file slo reads and rewrites`,
        "give --state the path of a file (it is created on the first run)",
      );
    }
    path = resolve(dirname(path), await readlink(path));
  }
  throw usageError(`--state ${given} is a symlink loop`, "point --state at a file");
}
