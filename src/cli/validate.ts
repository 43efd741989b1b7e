/** `slo validate`: every problem in every file at once, exit 2 on any. */

import type { Command } from "commander";
import { EXIT } from "../errors.js";
import { loadSetOrThrow } from "../pipeline/load-set.js";
import { pathsArgument, printWarning } from "./common.js";
import type { CliIo } from "./io.js";

export function registerValidate(
  program: Command,
  io: CliIo,
  setExit: (code: number) => void,
): void {
  program
    .command("validate")
    .description("check SLO files without reading any source")
    .addArgument(pathsArgument())
    .action(async (paths: string[]) => {
      const set = await loadSetOrThrow(paths, { cwd: io.cwd, env: io.env, warn: printWarning(io) });
      const count = set.services.reduce((n, s) => n + s.slos.length, 0);
      io.stdout.write(`${set.files.length} file(s), ${count} SLO(s): valid\n`);
      setExit(EXIT.ok);
    });
}
