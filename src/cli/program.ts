/**
 * The CLI as a function: argv and the streams in, the exit code out. The
 * only place that turns errors into exit codes. Importing it runs nothing:
 * main.ts runs it for the real process, tests run it in-process.
 */

import { Command, CommanderError } from "commander";
import { EXIT, exitCodeFor, SloError, SloErrors, toSloError } from "../errors.js";
import type { CliIo } from "./io.js";
import { VERSION } from "./version.js";

type Register = (program: Command, io: CliIo, setExit: (code: number) => void) => void;

/**
 * Each command's module, loaded only when it runs (or for the help that
 * lists them all): `slo check` then loads none of Octokit, the rules
 * writers, the HTML report or the importers' writers, which the CLI bundle
 * keeps in chunks of their own (scripts/build-cli.mjs).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  check: async () => (await import("./check.js")).registerCheck,
  validate: async () => (await import("./validate.js")).registerValidate,
  alerts: async () => (await import("./alerts.js")).registerAlerts,
  report: async () => (await import("./report.js")).registerReport,
  convert: async () => (await import("./convert.js")).registerConvert,
  rules: async () => (await import("./rules.js")).registerRules,
  verify: async () => (await import("./verify.js")).registerVerify,
  diff: async () => (await import("./diff.js")).registerDiff,
};

/** The commands to register: the one argv names, else all (help, --version, a mistyped name). */
function commandsFor(argv: string[]): string[] {
  const named = argv[2];
  return named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
}

/** argv as process.argv has it: the node binary and the script first. */
export async function runProgram(argv: string[], io: CliIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command()
    .name("slo")
    .description("SLO definitions, error budgets and burn rates: gate deploys, alert, report")
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    });
  try {
    const names = commandsFor(argv);
    const registers = await Promise.all(names.map((name) => COMMANDS[name]!()));
    for (const register of registers) register(program, io, setExit);
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    reportError(io, error);
    return exitCodeFor(error instanceof SloErrors ? error : toSloError(error));
  }
}

function reportError(io: CliIo, error: unknown): void {
  const errors = error instanceof SloErrors ? error.errors : [toSloError(error)];
  for (const e of errors) io.stderr.write(`error: ${e.format()}\n`);
  if (errors.length > 1) io.stderr.write(`${errors.length} problems\n`);
  if (
    errors.some((e) => e.code === "internal") &&
    !(error instanceof SloError) &&
    io.env.SLO_DEBUG
  ) {
    io.stderr.write(`${(error as Error).stack}\n`);
  }
}
