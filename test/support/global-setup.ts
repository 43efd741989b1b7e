/**
 * Once before all tests: build the CLI bundle, so subprocess tests run
 * today's source, fast; and make the one folder the tests' CLI runs keep
 * their log tally cache in (never the user's), removed after the run.
 */

import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const cacheHome = mkdtempSync(join(tmpdir(), "slo-test-cache-"));
  // read by test/support/cli.ts in the test workers, which inherit the environment
  process.env.SLO_TEST_CACHE_HOME = cacheHome;
  const root = join(import.meta.dirname, "..", "..");
  execFileSync(process.execPath, [join(root, "scripts", "build-cli.mjs")], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, SLO_QUIET_BUILD: "1" },
  });
  return () => rmSync(cacheHome, { recursive: true, force: true });
}
