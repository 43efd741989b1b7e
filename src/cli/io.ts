/**
 * What a CLI run reads from and writes to, passed in rather than taken from
 * `process`: the real process when slo runs as a program, strings when a
 * test runs a command in-process.
 */

import { colorWanted } from "../report/render-text.js";

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  /** what a logs source reads for "-" */
  stdin: NodeJS.ReadableStream;
  env: Record<string, string | undefined>;
  /** where relative paths on the command line start */
  cwd: string;
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}

export function useColor(io: CliIo, stream: OutputStream): boolean {
  return colorWanted(io.env, stream.isTTY === true);
}
