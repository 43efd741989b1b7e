/**
 * The CLI as a function: argv and the streams in, the exit code out. The
 * only place that turns errors into exit codes. Importing it runs nothing:
 * main.ts runs it for the real process, tests run it in-process.
 */

import { Command, CommanderError } from "commander";
import { EXIT, exitCodeFor, SloError, SloErrors, toSloError } from "../errors.js";
import { registerAlerts } from "./alerts.js";
import { registerCheck } from "./check.js";
import { registerConvert } from "./convert.js";
import { registerDiff } from "./diff.js";
import type { CliIo } from "./io.js";
import { registerReport } from "./report.js";
import { registerRules } from "./rules.js";
import { registerValidate } from "./validate.js";
import { registerVerify } from "./verify.js";
import { VERSION } from "./version.js";

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
  registerCheck(program, io, setExit);
  registerValidate(program, io, setExit);
  registerAlerts(program, io, setExit);
  registerReport(program, io, setExit);
  registerConvert(program, io, setExit);
  registerRules(program, io, setExit);
  registerVerify(program, io, setExit);
  registerDiff(program, io, setExit);
  try {
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
