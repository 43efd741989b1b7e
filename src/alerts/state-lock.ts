/**
 * One `slo alerts` run at a time per `--state` file. Two runs on one state
 * file would each send every alert (both read "nothing sent yet"), and the
 * later writer would drop the entries of the other's SLOs. The lock is a file
 * next to the state, `<state>.lock`, created exclusively and holding its
 * holder's pid, host and start time, so a lock left by a dead run can be told
 * from a live one.
 */

import { randomBytes } from "node:crypto";
import { statSync, unlinkSync } from "node:fs";
import { type FileHandle, link, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { deliveryError, type SloError, usageError } from "../errors.js";
import { fileErrorReasonWithCode } from "../file-errors.js";
import { STATE_LOCK_WAIT_MS } from "../limits.js";
import { unwritableState } from "./state-file.js";

export interface LockHolder {
  pid: number;
  host: string;
  /** RFC 3339 */
  startedAt: string;
}

export interface StateLockOptions {
  /** how long to wait for a live holder (default STATE_LOCK_WAIT_MS) */
  waitMs?: number;
  /** between two looks at a held lock */
  pollMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** who this run is (default: this process on this host, now) */
  self?: LockHolder;
  /** whether a process of this host is alive (default: signal 0) */
  isAlive?: (pid: number) => boolean;
}

export interface StateLock {
  readonly path: string;
  /** Remove the lock, if it is still ours. */
  release(): Promise<void>;
  /** The same, for a process about to die (a signal handler cannot wait). */
  releaseSync(): void;
}

const DEFAULT_POLL_MS = 250;

export function lockPathOf(statePath: string): string {
  return `${statePath}.lock`;
}

/**
 * Take the lock of `statePath`, waiting for a live holder up to the bound.
 * A lock held by a dead process of this host is taken over. Fails with exit 2
 * when the lock cannot be created (the folder is not writable: nothing could
 * be recorded), exit 3 when another run still holds it after the wait.
 */
export async function lockStateFile(
  statePath: string,
  options: StateLockOptions = {},
): Promise<StateLock> {
  const lockPath = lockPathOf(statePath);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  const isAlive = options.isAlive ?? processIsAlive;
  const self = options.self ?? {
    pid: process.pid,
    host: hostname(),
    startedAt: new Date(now()).toISOString(),
  };
  const waitMs = options.waitMs ?? STATE_LOCK_WAIT_MS;
  const deadline = now() + waitMs;
  try {
    await mkdir(dirname(statePath), { recursive: true });
  } catch (error) {
    throw unwritableState(statePath, error);
  }
  for (;;) {
    const created = await createLock(statePath, lockPath, self);
    if (created) return created;
    const seen = await readLock(lockPath).catch((error: unknown) => {
      throw unusableLock(statePath, lockPath, error);
    });
    if (!seen) continue; // released between our attempt and our look: try again at once
    if (isStale(seen, self.host, isAlive, Date.now())) {
      await takeOver(lockPath, seen.ino).catch((error: unknown) => {
        throw unusableLock(statePath, lockPath, error);
      });
      continue;
    }
    if (now() >= deadline) throw lockBusy(statePath, lockPath, seen.holder, waitMs);
    await sleep(options.pollMs ?? DEFAULT_POLL_MS);
  }
}

/** The lock, or null when another run holds it. */
async function createLock(
  statePath: string,
  lockPath: string,
  self: LockHolder,
): Promise<StateLock | null> {
  let handle: FileHandle;
  try {
    handle = await open(lockPath, "wx", 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return null;
    throw unwritableState(statePath, error);
  }
  let ino: number;
  try {
    await handle.writeFile(`${JSON.stringify(self)}\n`);
    await handle.sync();
    ino = (await handle.stat()).ino;
  } catch (error) {
    // A full disk takes the file but not its content: leave no lock nobody can read.
    await handle.close().catch(() => {});
    await rm(lockPath, { force: true });
    throw unwritableState(statePath, error);
  }
  await handle.close();
  const ours = async () => (await stat(lockPath).catch(() => null))?.ino === ino;
  return {
    path: lockPath,
    async release() {
      if (await ours()) await rm(lockPath, { force: true });
    },
    releaseSync() {
      try {
        if (statSync(lockPath).ino === ino) unlinkSync(lockPath);
      } catch {
        // already gone: nothing to release
      }
    },
  };
}

interface SeenLock {
  /** null: the file holds no readable holder (not written by slo, or cut short) */
  holder: LockHolder | null;
  ino: number;
  mtimeMs: number;
}

async function readLock(lockPath: string): Promise<SeenLock | null> {
  let handle: FileHandle;
  try {
    handle = await open(lockPath, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    // One handle for both, so the holder read is the holder of that inode.
    const { ino, mtimeMs } = await handle.stat();
    return { holder: parseHolder(await handle.readFile("utf8")), ino, mtimeMs };
  } finally {
    await handle.close();
  }
}

function parseHolder(text: string): LockHolder | null {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      Number.isInteger(value.pid) &&
      typeof value.host === "string" &&
      typeof value.startedAt === "string"
    ) {
      return value as LockHolder;
    }
  } catch {
    // not ours: reported as an unknown holder
  }
  return null;
}

/**
 * A run writes its holder the moment it creates the lock: a lock still
 * unreadable this long after (empty from a crash in between, or garbage) has
 * no holder to wait for.
 */
const UNREADABLE_LOCK_STALE_MS = 10_000;

/** Only a holder of this host can be known dead; another host's run may be alive. */
function isStale(
  seen: SeenLock,
  host: string,
  isAlive: (pid: number) => boolean,
  nowMs: number,
): boolean {
  const { holder } = seen;
  if (holder === null) return nowMs - seen.mtimeMs > UNREADABLE_LOCK_STALE_MS;
  return holder.host === host && !isAlive(holder.pid);
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, and belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove the dead holder's lock, and only it: two runs may find the same
 * stale lock, and the slower must not remove the lock the faster just took.
 * Renaming moves whatever is there now; if that is not the inode we judged
 * stale, it is put back.
 */
async function takeOver(lockPath: string, staleIno: number): Promise<void> {
  const aside = `${lockPath}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await stat(aside);
  if (moved.ino !== staleIno) {
    await link(aside, lockPath).catch(() => {});
  }
  await rm(aside, { force: true });
}

/** A lock file slo cannot read or remove (a folder, another user's file): the user's to fix. */
function unusableLock(statePath: string, lockPath: string, error: unknown): SloError {
  return usageError(
    `--state ${statePath}: its lock ${lockPath} cannot be used: ${fileErrorReasonWithCode(error, "write")}; nothing was sent`,
    `${lockPath} is where slo alerts records which run holds the state: remove whatever is there if no run is going`,
  );
}

function lockBusy(
  statePath: string,
  lockPath: string,
  holder: LockHolder | null,
  waitMs: number,
): SloError {
  const who = holder
    ? `slo alerts pid ${holder.pid} on ${holder.host}, started ${holder.startedAt}`
    : "a holder that cannot be read";
  return deliveryError(
    `--state ${statePath}: another run holds its lock ${lockPath} (${who}); gave up after waiting ${waitMs / 1000}s`,
    `runs that share a state file take turns; if no such run is going (its machine was lost), delete ${lockPath}`,
  );
}

/**
 * Remove the lock when the process is told to stop, then stop as the signal
 * would have. Returns the function that unregisters the handlers.
 */
export function releaseOnSignals(lock: StateLock): () => void {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const handler = (signal: NodeJS.Signals) => {
    lock.releaseSync();
    unregister();
    process.kill(process.pid, signal);
  };
  const unregister = () => {
    for (const s of signals) process.off(s, handler);
  };
  for (const s of signals) process.once(s, handler);
  return unregister;
}
