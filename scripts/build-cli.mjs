// Bundles the CLI into dist/cli/slo.mjs, so a clone starts in a fraction of the
// time tsx needs to compile the source on every run. Runs on `npm ci` (prepare)
// and before the tests; bin/slo.js falls back to the source when src/ is newer.
import { build } from "esbuild";

const started = Date.now();
await build({
  entryPoints: { slo: "src/cli/main.ts", "logs-worker": "src/sources/logs/worker.ts" },
  outdir: "dist/cli",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});
if (!process.env.SLO_QUIET_BUILD)
  console.log(`built dist/cli/slo.mjs and logs-worker.mjs in ${Date.now() - started} ms`);
