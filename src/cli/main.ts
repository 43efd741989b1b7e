/** The CLI's entry point (bin/slo.js and the bundle run this): the program on the real process. */

import { processIo } from "./io.js";
import { runProgram } from "./program.js";

process.exitCode = await runProgram(process.argv, processIo());
