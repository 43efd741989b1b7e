/** What the commands share: the paths argument, writing output where the user said. */

import { mkdir, realpath, stat, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { Argument, Option } from "commander";
import { DEFAULT_GITHUB_API, DEFAULT_PATHS, defaultCacheDir } from "../defaults.js";
import { formatDuration } from "../definition/duration.js";
import type { Deploy, SloSet } from "../definition/model.js";
import { type SloError, usageError } from "../errors.js";
import { fileErrorReason } from "../file-errors.js";
import { parseDeploy, parseDurationOption } from "../parse-option.js";
import { oldestWindowStart } from "../pipeline/requests.js";
import type { LogCacheOptions } from "../sources/logs/cache/cached-read.js";
import { resolveInputs } from "../sources/logs/reading/inputs.js";
import type { CliIo } from "./io.js";
import { VERSION } from "./version.js";

/** A warning about the SLO files, as errors are printed (file:line:col), on stderr: never in the report. */
export function printWarning(io: CliIo): (warning: SloError) => void {
  return (warning) => io.stderr.write(`warning: ${warning.format()}\n`);
}

/** --github-deadline: how long the run's GitHub calls may take, for --github's reporting and --environment's reading. */
export function gitHubDeadlineOption(): Option {
  return new Option(
    "--github-deadline <duration>",
    `how long the GitHub calls of --github or --environment may take in all (default ${DEFAULT_GITHUB_DEADLINE})`,
  );
}

/** The --github-deadline given, in ms; refused where no GitHub call is made. */
export function gitHubDeadlineOf(
  text: string | undefined,
  callsGitHub: boolean,
): number | undefined {
  if (text === undefined) return undefined;
  if (!callsGitHub) {
    throw usageError(
      "--github-deadline only applies with --github or --environment",
      "leave it out, or add the option that calls GitHub",
    );
  }
  return parseDurationOption(text, "--github-deadline");
}

/** Every command's [paths...]: SLO files or folders, slos/ when none is given. */
export function pathsArgument(): Argument {
  return new Argument("[paths...]", "SLO files or folders").default([], DEFAULT_PATHS.join(" "));
}

/**
 * Write to --out or stdout. Nothing the command reads is overwritten by its
 * output: not an SLO file, not a log file of a logs source, whatever links
 * lead from --out to it.
 */
export async function writeOutput(
  io: CliIo,
  text: string,
  out: string | undefined,
  set: SloSet,
): Promise<void> {
  if (!out || out === "-") {
    io.stdout.write(text);
    return;
  }
  const target = resolve(io.cwd, out);
  const sloFiles = set.files.map((f) => resolve(io.cwd, f));
  const sloFile = await sameFileAmong(target, sloFiles);
  if (sloFile !== undefined) {
    throw usageError(
      `--out ${out} is one of the SLO files being read${throughLink(target, sloFile)}; refusing to overwrite it`,
      OUT_HINT,
    );
  }
  const logFile = await sameFileAmong(target, await logFilesOf(set));
  if (logFile !== undefined) {
    throw usageError(
      `--out ${out} is a log file the SLOs read${throughLink(target, logFile)}; refusing to overwrite it`,
      OUT_HINT,
    );
  }
  await writeUserFile(target, text, `--out ${out}`);
}

const DEFAULT_GITHUB_DEADLINE = formatDuration(DEFAULT_GITHUB_API.deadlineMs);

const OUT_HINT = "write the output to a file of its own, e.g. --out report.txt";

function throughLink(target: string, input: string): string {
  return target === input ? "" : ` (${input}, through a link)`;
}

/**
 * The input that `target` is, if any. Paths are compared as the file system
 * sees them, not as strings: an existing target is the same file as an
 * input when both have one device and inode (stat follows symlinks, and a
 * hard link shares the inode); a target not there yet is compared by its
 * folder's real path and its name.
 */
async function sameFileAmong(target: string, inputs: string[]): Promise<string | undefined> {
  const identity = await stat(target).catch(() => null);
  if (identity) {
    for (const input of inputs) {
      const other = await stat(input).catch(() => null);
      if (other && other.dev === identity.dev && other.ino === identity.ino) return input;
    }
    return undefined;
  }
  const real = await realPathOfNew(target);
  for (const input of inputs) {
    if ((await realpath(input).catch(() => input)) === real) return input;
  }
  return undefined;
}

/** Where a file not yet there would be made: its nearest existing folder's real path, then the rest. */
async function realPathOfNew(path: string): Promise<string> {
  const folder = dirname(path);
  if (folder === path) return path;
  const realFolder = await realpath(folder).catch(() => realPathOfNew(folder));
  return join(realFolder, basename(path));
}

/** The files the logs sources of the set read (those that exist now). */
async function logFilesOf(set: SloSet): Promise<string[]> {
  const files: string[] = [];
  for (const service of set.services) {
    for (const source of Object.values(service.sources)) {
      if (source.type !== "logs") continue;
      const inputs = await resolveInputs(source.name, source.paths, source.baseDir);
      if (!Array.isArray(inputs)) continue;
      for (const input of inputs) if (input.kind === "file") files.push(resolve(input.path));
    }
  }
  return files;
}

/**
 * Create the folder the user named (and those above it); a path that cannot
 * be one is theirs to fix (exit 2), not a bug in slo.
 */
export async function makeUserFolder(path: string, what: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw usageError(`${what}: cannot make the folder ${path}: ${fileErrorReason(error, "write")}`);
  }
}

/** Write a file the user named, making its folder first; failures as in makeUserFolder. */
export async function writeUserFile(path: string, text: string, what: string): Promise<void> {
  await makeUserFolder(dirname(path), what);
  try {
    await writeFile(path, text);
  } catch (error) {
    throw usageError(`${what}: cannot write ${path}: ${fileErrorReason(error, "write")}`);
  }
}

/** `--deploy VERSION@TIME`, repeatable: the deploys a report splits the budget at. */
export function deployOption(): Option {
  return new Option(
    "--deploy <version@time>",
    "a deploy, e.g. v1.4.2@2026-11-24T10:00:00Z (repeatable; replaces the files' deploys:)",
  ).argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value]);
}

/** The --deploy values as deploys; undefined when none was given. None may be after `atMs`. */
export function deploysGiven(texts: string[] | undefined, atMs: number): Deploy[] | undefined {
  if (!texts || texts.length === 0) return undefined;
  return texts.map((text) => {
    const deploy = parseDeploy(text, "--deploy");
    if (deploy.atMs > atMs)
      throw usageError(
        `--deploy ${text}: after the instant evaluated (${new Date(atMs).toISOString()}); nothing has run after it yet`,
        "give deploys up to --at (or now)",
      );
    return { ...deploy, origin: "command-line" };
  });
}

/** `--environment NAME`: GitHub's deployments of that environment. */
export function environmentOption(): Option {
  return new Option(
    "--environment <name>",
    "read deploys from GitHub's deployments of this environment (GITHUB_TOKEN, GITHUB_REPOSITORY); when it finds any, they replace the files' deploys:",
  );
}

/**
 * The environment's deployments over the oldest window the SLOs need. Loaded
 * only when asked: Octokit stays out of every other run. A token that cannot
 * read them is a warning and no deploys, as GitHub's reporters do.
 */
export async function gitHubDeploysOf(
  environment: string | undefined,
  set: SloSet,
  atMs: number,
  io: CliIo,
  deadlineMs?: number,
): Promise<Deploy[] | undefined> {
  if (environment === undefined) return undefined;
  const { readGitHubDeploys } = await import("../github/deployments.js");
  const sinceMs = oldestWindowStart(set, atMs);
  let warned = false;
  const found = await readGitHubDeploys({
    token: io.env.GITHUB_TOKEN || io.env.GH_TOKEN,
    env: io.env,
    cwd: io.cwd,
    environment,
    sinceMs,
    untilMs: atMs,
    deadlineMs,
    log: {
      info: () => {},
      warning: (message) => {
        warned = true;
        io.stderr.write(`warning: ${message}\n`);
      },
    },
  });
  // read, and none there: say so, or the files' deploys would seem to come from GitHub
  if (found.length === 0 && !warned)
    io.stderr.write(
      `warning: no successful deployment of ${environment} from ${new Date(sinceMs).toISOString()} to ${new Date(atMs).toISOString()}: the services' own deploys: are used, if any\n`,
    );
  return found;
}

/** --cache DIR: where the commands that read logs keep their counts (the log tally cache). */
export function cacheOption(): Option {
  return new Option(
    "--cache <dir>",
    "keep log counts here, so a rerun reads only new lines (default: slo in the user's cache folder)",
  );
}

/** --no-cache: no log tally cache. */
export function noCacheOption(): Option {
  return new Option("--no-cache", "read every log file whole and keep no counts");
}

/** The tally cache the flags ask for: --cache DIR, none with --no-cache, else the default folder. */
export function logCacheOf(
  cache: string | boolean | undefined,
  io: CliIo,
): LogCacheOptions | undefined {
  if (cache === false) return undefined;
  const dir =
    typeof cache === "string"
      ? resolve(io.cwd, cache)
      : defaultCacheDir(io.env, process.platform, io.env.HOME ?? homedir());
  return {
    dir,
    sloVersion: VERSION,
    note: (text) => io.stderr.write(`note: ${text}\n`),
  };
}
