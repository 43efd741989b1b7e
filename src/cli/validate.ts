/** `slo validate`: every problem in every file at once, exit 2 on any. */

import type { Command } from "commander";
import { EXIT } from "../errors.js";
import { loadOrThrow, pathsArgument } from "./common.js";

export function registerValidate(program: Command, setExit: (code: number) => void): void {
  program
    .command("validate")
    .description("check SLO files without reading any source")
    .addArgument(pathsArgument())
    .action(async (paths: string[]) => {
      const set = await loadOrThrow(paths);
      const count = set.services.reduce((n, s) => n + s.slos.length, 0);
      process.stdout.write(`${set.files.length} file(s), ${count} SLO(s): valid\n`);
      setExit(EXIT.ok);
    });
}
