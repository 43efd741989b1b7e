/** The CLI's entry point (bin/slo.js and the bundle run this): the program on the real process. */

import { processIo } from "./io.js";
import { runProgram } from "./program.js";

// A reader that went away (`slo check ... | head`) is no fault of the run:
// what is left to write is dropped, quietly, and the exit code stays the run's.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

process.exitCode = await runProgram(process.argv, processIo());
