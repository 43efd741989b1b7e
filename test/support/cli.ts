/**
 * Runs the real CLI the way a user does: argv in; stdout, stderr and the
 * exit code out. In-process by default (the same program, without a Node
 * start-up and a module load per run); in a subprocess when a test needs
 * a process of its own (another working directory, or `subprocess: true`
 * for what only a process shows: signals, a crash, the bin script).
 */

import { execFile } from "node:child_process";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Readable } from "node:stream";
import type { CliIo, OutputStream } from "../../src/cli/io.js";

export const ROOT = join(import.meta.dirname, "..", "..");

const TEST_CACHE_HOME =
  process.env.SLO_TEST_CACHE_HOME ?? join(tmpdir(), `slo-test-cache-${process.pid}`);

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  input?: string;
  /** run bin/slo.js in a process of its own */
  subprocess?: boolean;
}

export function runCli(args: string[], options: CliRunOptions = {}): Promise<CliResult> {
  const cwd = resolve(options.cwd ?? ROOT);
  // Relative paths in a command resolve against the process's own directory.
  return options.subprocess || cwd !== process.cwd()
    ? runSubprocess(args, cwd, options)
    : runInProcess(args, cwd, options);
}

function cliEnv(options: CliRunOptions): Record<string, string | undefined> {
  // the log tally cache of the tests' runs in a folder of their own, never the user's
  const cache = { XDG_CACHE_HOME: TEST_CACHE_HOME };
  return { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined, ...cache, ...options.env };
}

async function runInProcess(
  args: string[],
  cwd: string,
  options: CliRunOptions,
): Promise<CliResult> {
  const { runProgram } = await import("../../src/cli/program.js");
  const stdout = capture();
  const stderr = capture();
  const io: CliIo = {
    stdout,
    stderr,
    stdin: Readable.from(options.input !== undefined ? [Buffer.from(options.input)] : []),
    env: withoutUnset(cliEnv(options)),
    cwd,
  };
  const code = await runProgram([process.execPath, join(ROOT, "bin", "slo.js"), ...args], io);
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

function capture(): OutputStream & { text(): string } {
  const chunks: string[] = [];
  return {
    write: (text: string) => chunks.push(text),
    isTTY: false,
    text: () => chunks.join(""),
  };
}

/** A variable set to undefined is not set at all, as in a child's environment. */
function withoutUnset(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function runSubprocess(args: string[], cwd: string, options: CliRunOptions): Promise<CliResult> {
  return new Promise((resolveResult) => {
    const child = execFile(
      process.execPath,
      [join(ROOT, "bin", "slo.js"), ...args],
      {
        cwd,
        env: cliEnv(options),
        maxBuffer: 64 * 1024 * 1024,
        timeout: 120_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolveResult({ code, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** A stack trace has "    at fn (file:line:col)" lines; users must never see one. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]\d+:\d+\)?$/m.test(text);
}
