/** Once before all tests: build the CLI bundle, so subprocess tests run today's source, fast. */

import { execFileSync } from "node:child_process";
import { join } from "node:path";

export default function setup(): void {
  const root = join(import.meta.dirname, "..", "..");
  execFileSync(process.execPath, [join(root, "scripts", "build-cli.mjs")], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, SLO_QUIET_BUILD: "1" },
  });
}
