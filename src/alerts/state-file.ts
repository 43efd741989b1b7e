/**
 * `--state FILE`: what each write-only target (a webhook) was last told, so a
 * rerun sends only what changed. Written after every delivery that
 * succeeded, atomically (a temporary file, fsync, rename): a run that crashes
 * between two deliveries leaves a file that records the first and not the
 * second, and the next run sends only the second.
 */

import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { z } from "zod";
import { type SloError, usageError } from "../errors.js";

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

/** Replace `path` with `text` so a reader sees the old file or the new one, never a part. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temp, "w", 0o600);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** The state of one run: read once, updated and written after each delivery. */
export class AlertStateStore {
  private constructor(
    private readonly path: string | undefined,
    private readonly data: AlertStateData,
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

  /** Record one delivery (null: the alert resolved) and write the file before anything else is sent. */
  async record(targetId: string, key: string, value: Notified | null): Promise<void> {
    const target = { ...(this.data.targets[targetId] ?? {}) };
    if (value) target[key] = value;
    else delete target[key];
    if (Object.keys(target).length > 0) this.data.targets[targetId] = target;
    else delete this.data.targets[targetId];
    if (this.path) await writeFileAtomic(this.path, `${JSON.stringify(this.data, null, 2)}\n`);
  }
}
