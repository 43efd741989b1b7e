/**
 * The SLO files as a commit holds them, read with git: which files the
 * paths name at that commit (`git ls-tree`), and their text (`git show`).
 * git runs through execFile (no shell), the paths after `--`, the revision
 * checked first, so nothing the user gives can be read as an option.
 * Errors name the file as `REF:path`.
 */

import { execFile } from "node:child_process";
import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, join, posix, relative, resolve, sep } from "node:path";
import { DEFAULT_PATHS } from "../defaults.js";
import { SloError, usageError } from "../errors.js";
import { MAX_GIT_LISTING_BYTES, MAX_SLO_FILE_BYTES } from "../limits.js";
import { type LoadOptions, type LoadResult, loadTexts, type SloFileTextAt } from "./load.js";

const YAML_FILE = /\.ya?ml$/i;
const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
const MIB = 1024 * 1024;

export interface GitRun {
  stdout: string;
}

/** Runs git in `cwd`; rejects with the process's error (code, stderr). */
export type RunGit = (args: string[], cwd: string, maxBuffer: number) => Promise<GitRun>;

export const runGit: RunGit = (args, cwd, maxBuffer) =>
  new Promise((resolve, reject) => {
    execFile(
      "git",
      args,
      { cwd, maxBuffer, encoding: "utf8", env: { ...process.env, GIT_TERMINAL_PROMPT: "0" } },
      (error, stdout, stderr) => {
        if (error) reject(Object.assign(error, { stderr: String(stderr) }));
        else resolve({ stdout: String(stdout) });
      },
    );
  });

export interface CommitOf {
  /** the revision as the user wrote it: HEAD~1, main */
  ref: string;
  /** the full commit id it names */
  sha: string;
}

/**
 * The commit a revision names: whatever `git rev-parse --verify REF^{commit}`
 * accepts (main, HEAD~1, :/message, a sha). A revision starting with `-` is
 * refused (it would be read as an option); one that names a tree or a blob
 * is not a commit; one git does not know is the user's mistake, and a
 * commit a shallow clone lacks says how to fetch it.
 */
export async function resolveCommit(ref: string, cwd: string, git = runGit): Promise<CommitOf> {
  if (ref === "" || ref.startsWith("-") || ref.includes("\u0000")) {
    throw usageError(
      `--base ${JSON.stringify(ref)}: not a git revision`,
      "name a commit, branch or tag: --base main, --base HEAD~1, --base 3f2a1b9",
    );
  }
  // the revision alone first: a suffix would change what :/message searches for
  const named = await git(
    ["rev-parse", "--verify", "--quiet", "--end-of-options", ref],
    cwd,
    MAX_GIT_LISTING_BYTES,
  ).catch((error: unknown) => gitFailure(error, ref, cwd, git));
  const object = named.stdout.trim();
  if (!FULL_SHA.test(object)) throw usageError(`git rev-parse ${ref}: unexpected answer ${object}`);
  // an annotated tag names its commit
  const sha = await git(
    ["rev-parse", "--verify", "--quiet", "--end-of-options", `${object}^{commit}`],
    cwd,
    MAX_GIT_LISTING_BYTES,
  )
    .then((r) => r.stdout.trim())
    .catch(() => notACommit(ref, object, cwd, git));
  if (!FULL_SHA.test(sha)) throw usageError(`git rev-parse ${ref}: unexpected answer ${sha}`);
  return { ref, sha };
}

async function gitFailure(error: unknown, ref: string, cwd: string, git: RunGit): Promise<never> {
  const e = error as NodeJS.ErrnoException & { stderr?: string };
  if (e.code === "ENOENT") {
    throw usageError(
      "git is not installed (or not on PATH): the SLO files of another commit cannot be read",
      "install git, or run where it is",
    );
  }
  const stderr = (e.stderr ?? "").trim();
  if (/not a git repository/i.test(stderr)) {
    throw usageError(`${cwd} is not in a git repository: --base ${ref} cannot be read`);
  }
  const shallow = await git(["rev-parse", "--is-shallow-repository"], cwd, MAX_GIT_LISTING_BYTES)
    .then((r) => r.stdout.trim() === "true")
    .catch(() => false);
  throw usageError(
    `unknown revision ${ref}: no such commit in this repository${shallow ? " (a shallow clone, which holds only the newest commits)" : ""}`,
    shallow
      ? "fetch the history: fetch-depth: 0 is needed (actions/checkout), or git fetch --unshallow"
      : "name a commit, branch or tag that exists: git log --oneline shows them",
  );
}

/** A revision that names a tree or a blob (HEAD:slos): the user's mistake, said as such. */
async function notACommit(ref: string, object: string, cwd: string, git: RunGit): Promise<never> {
  const type = await git(["cat-file", "-t", object], cwd, MAX_GIT_LISTING_BYTES)
    .then((r) => r.stdout.trim())
    .catch(() => "object");
  throw usageError(
    `--base ${ref}: ${ref} is not a commit (git names a ${type})`,
    "name a commit, branch or tag: --base main, --base HEAD~1, --base 3f2a1b9",
  );
}

/** The repository the paths are in, and each path relative to its top level (git's own spelling). */
export interface PathsInRepository {
  top: string;
  paths: string[];
}

/**
 * Where the paths are in their repository, whatever the working directory:
 * `slos`, `./slos` and `/abs/repo/slos` name the same files, and a path
 * outside the working directory's repository is read from its own. A path
 * no longer on disk (removed since the base) is placed by its nearest folder
 * that is. Every path must be in one repository.
 */
export async function pathsInRepository(
  paths: readonly string[],
  cwd: string,
  git = runGit,
): Promise<PathsInRepository> {
  const named = paths.length > 0 ? paths : DEFAULT_PATHS;
  let top: string | undefined;
  const inRepo: string[] = [];
  for (const path of named) {
    const { folder, real } = onDisk(resolve(cwd, path));
    const out = await git(["rev-parse", "--show-toplevel"], folder, MAX_GIT_LISTING_BYTES).catch(
      (error: unknown) => notInRepository(error, path),
    );
    const here = realpathSync(out.stdout.trim());
    if (top !== undefined && here !== top) {
      throw usageError(
        `${path} is in the git repository ${here}, the other paths in ${top}: slo diff compares one repository`,
      );
    }
    top = here;
    inRepo.push(relative(here, real).split(sep).join(posix.sep) || ".");
  }
  return { top: top ?? cwd, paths: inRepo };
}

function notInRepository(error: unknown, path: string): never {
  if ((error as NodeJS.ErrnoException).code === "ENOENT") {
    throw usageError(
      "git is not installed (or not on PATH): the SLO files of another commit cannot be read",
      "install git, or run where it is",
    );
  }
  throw usageError(`${path} is not in a git repository: its SLO files at --base cannot be read`);
}

/** The nearest folder of the path that is on disk, and the path with that folder's real path. */
function onDisk(path: string): { folder: string; real: string } {
  let folder = path;
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder);
  if (existsSync(folder) && !statSync(folder).isDirectory()) folder = dirname(folder);
  const real = realpathSync(folder);
  return { folder, real: join(real, relative(folder, path)) };
}

/**
 * The files the paths name at the commit, as `findSloFiles` finds them on
 * disk: a path that is a file is taken as it is; in a folder, the .yaml and
 * .yml files, not under a hidden folder or node_modules. A path the commit
 * does not hold names no file (its SLOs were added since).
 */
export async function sloFilesAt(
  commit: CommitOf,
  paths: readonly string[],
  cwd: string,
  git = runGit,
): Promise<string[]> {
  const named = (paths.length > 0 ? paths : DEFAULT_PATHS).map((p) => p.replace(/\/+$/, ""));
  const out = await git(
    ["ls-tree", "-r", "-z", "--name-only", commit.sha, "--", ...named],
    cwd,
    MAX_GIT_LISTING_BYTES,
  ).catch((error: unknown) => {
    throw usageError(`git ls-tree ${commit.ref}: ${stderrOf(error)}`);
  });
  const listed = out.stdout.split("\u0000").filter(Boolean);
  const files = listed.filter((file) => named.some((p) => namedBy(file, p)));
  return [...new Set(files)];
}

function namedBy(file: string, path: string): boolean {
  const p = posix.normalize(path);
  if (file === p || p === ".") return file === p || inFolder(file);
  if (!file.startsWith(`${p}/`)) return false;
  return inFolder(file.slice(p.length + 1));
}

/** Under a named folder: a YAML file, not under a hidden folder or node_modules. */
function inFolder(rest: string): boolean {
  const parts = rest.split("/");
  const hidden = parts.some((part) => part.startsWith(".") || part === "node_modules");
  return !hidden && YAML_FILE.test(rest);
}

/** The SLO files of the commit, loaded as `loadSpec` loads those on disk; errors name `REF:path`. */
export async function loadSpecAt(
  commit: CommitOf,
  paths: readonly string[],
  options: LoadOptions & { cwd: string },
  git = runGit,
): Promise<LoadResult> {
  const files = await sloFilesAt(commit, paths, options.cwd, git);
  const texts: SloFileTextAt[] = [];
  const errors: SloError[] = [];
  for (const file of files) {
    const read = await fileAt(commit, file, options.cwd, git);
    if (typeof read !== "string") errors.push(read);
    texts.push({ file, text: typeof read === "string" ? read : null });
  }
  const loaded = loadTexts(texts, errors, options);
  const ref = refLabel(commit);
  const label = (file: string | undefined) =>
    file !== undefined && files.includes(file) ? `${ref}:${file}` : file;
  for (const service of loaded.set.services) {
    for (const slo of service.slos) slo.at = { ...slo.at, file: label(slo.at.file) ?? "" };
  }
  return {
    set: { ...loaded.set, files: loaded.set.files.map((f) => label(f) ?? f) },
    errors: loaded.errors.map((e) => relabelled(e, label)),
    warnings: loaded.warnings.map((e) => relabelled(e, label)),
  };
}

/** How files at the commit are named, `REF:path`: a full sha (the Action's base commit) short, as git log shows it. */
export function refLabel(commit: CommitOf): string {
  return FULL_SHA.test(commit.ref) ? commit.ref.slice(0, 7) : commit.ref;
}

function relabelled(error: SloError, label: (file: string | undefined) => string | undefined) {
  return new SloError({
    code: error.code,
    message: error.message,
    file: label(error.file),
    line: error.line,
    col: error.col,
    hint: error.hint,
  });
}

/** One file's text at the commit, or the error naming `REF:path`. */
async function fileAt(
  commit: CommitOf,
  file: string,
  cwd: string,
  git: RunGit,
): Promise<string | SloError> {
  const at = `${commit.ref}:${file}`;
  try {
    // ./ makes the path relative to cwd, as ls-tree listed it
    return (
      await git(["show", "--no-textconv", `${commit.sha}:./${file}`], cwd, MAX_SLO_FILE_BYTES)
    ).stdout;
  } catch (error) {
    const tooLarge = (error as NodeJS.ErrnoException).code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER";
    return new SloError({
      code: "usage",
      file: at,
      message: tooLarge
        ? `this SLO file is over ${MAX_SLO_FILE_BYTES} bytes (${MAX_SLO_FILE_BYTES / MIB} MiB), the most an SLO file may be`
        : `cannot read this SLO file from git: ${stderrOf(error)}`,
    });
  }
}

function stderrOf(error: unknown): string {
  const e = error as { stderr?: string; message?: string };
  return (e.stderr?.trim() || e.message || String(error)).split("\n")[0] ?? "";
}
