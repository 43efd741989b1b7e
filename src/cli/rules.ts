/**
 * `slo rules [paths] --format prometheus|prometheus-operator`: Prometheus
 * recording and alerting rules for the same SLOs, for `promtool check rules`
 * and for Prometheus to evaluate continuously.
 */

import type { Command } from "commander";
import { EXIT, SloErrors, specError } from "../errors.js";
import { oneOf } from "../parse-option.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { buildRules } from "../rules/build.js";
import { RULE_FORMATS, renderRules, rulesHeader } from "../rules/render.js";
import { pathsArgument, writeOutput } from "./common.js";
import type { CliIo } from "./io.js";

export interface RulesOptions {
  format: string;
  out?: string;
}

export function registerRules(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("rules")
    .description("write Prometheus recording and alerting rules for the SLOs")
    .addArgument(pathsArgument())
    .option("--format <format>", "prometheus or prometheus-operator", "prometheus")
    .option("--out <file>", "write the rules to a file instead of stdout")
    .action(async (paths: string[], options: RulesOptions) => {
      setExit(await runRules(paths, options, io));
    });
}

export async function runRules(paths: string[], options: RulesOptions, io: CliIo): Promise<number> {
  const format = oneOf("--format", options.format, RULE_FORMATS);
  const set = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env });
  const result = buildRules(set);
  if (result.errors.length > 0) throw new SloErrors(result.errors);
  for (const { slo, reason } of result.skipped) {
    io.stderr.write(`note: no rules for ${slo.service}/${slo.name}: it ${reason}\n`);
  }
  if (result.services.length === 0) {
    throw new SloErrors([
      specError(
        `no rules to write: none of the SLOs in ${set.files.join(", ")} reads a prometheus source`,
      ),
    ]);
  }
  const text = renderRules(result.services, format, rulesHeader(set.files));
  await writeOutput(io, text, options.out, set);
  return EXIT.ok;
}
