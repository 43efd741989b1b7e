/**
 * The CLI's entry point: the only place that turns errors into exit codes
 * and touches process.exit.
 */

import { Command, CommanderError } from "commander";
import { EXIT, exitCodeFor, SloError, SloErrors, toSloError } from "../errors.js";
import { registerAlerts } from "./alerts.js";
import { registerCheck } from "./check.js";
import { registerConvert } from "./convert.js";
import { registerReport } from "./report.js";
import { registerRules } from "./rules.js";
import { registerValidate } from "./validate.js";
import { VERSION } from "./version.js";

export async function main(argv: string[]): Promise<number> {
  let exitCode: number = EXIT.ok;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command()
    .name("slo")
    .description("SLO definitions, error budgets and burn rates: gate deploys, alert, report")
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerCheck(program, setExit);
  registerValidate(program, setExit);
  registerAlerts(program, setExit);
  registerReport(program, setExit);
  registerConvert(program, setExit);
  registerRules(program, setExit);
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, successfully.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    reportError(error);
    return exitCodeFor(error instanceof SloErrors ? error : toSloError(error));
  }
}

function reportError(error: unknown): void {
  const errors = error instanceof SloErrors ? error.errors : [toSloError(error)];
  for (const e of errors) process.stderr.write(`error: ${e.format()}\n`);
  if (errors.length > 1) process.stderr.write(`${errors.length} problems\n`);
  if (
    errors.some((e) => e.code === "internal") &&
    !(error instanceof SloError) &&
    process.env.SLO_DEBUG
  ) {
    process.stderr.write(`${(error as Error).stack}\n`);
  }
}

process.exitCode = await main(process.argv);
