// Bundles the CLI into dist/cli/slo.mjs (and the chunks it loads on demand),
// so a clone starts in a fraction of the time tsx needs to compile the source
// on every run. Its packages are bundled too: resolving and loading each of
// their files took 0.18 s of every run.
// Runs on `npm ci` (prepare) and before the tests; bin/slo.js falls back to
// the source when src/ is newer.
//   node scripts/build-cli.mjs [--outdir DIR]   (the bench builds its own copy)
import { readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { REQUIRE_SHIM } from "./node-esm-banner.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const at = process.argv.indexOf("--outdir");
const outdir = at > 0 ? resolve(process.argv[at + 1]) : join(root, "dist/cli");

const started = Date.now();
// chunks are named by their hash: those of an earlier build would pile up
try {
  for (const name of readdirSync(outdir)) {
    if (name.startsWith("chunk-")) rmSync(join(outdir, name));
  }
} catch {}
await build({
  absWorkingDir: root,
  entryPoints: { slo: "src/cli/main.ts", "logs-worker": "src/sources/logs/parallel/worker.ts" },
  outdir,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // what a command loads with import() (program.ts, the sources, --github) is
  // a chunk of its own, read only when it runs: `slo check` then leaves a
  // fifth of the bundle (Octokit, the other commands) unparsed. Chunks sit beside the entries, so a chunk's
  // import.meta.url finds logs-worker.mjs as the entry's did.
  splitting: true,
  chunkNames: "chunk-[hash]",
  banner: { js: REQUIRE_SHIM.join("\n") },
  sourcemap: "linked",
  sourcesContent: false,
  logLevel: "warning",
});
if (!process.env.SLO_QUIET_BUILD)
  console.log(`built ${outdir}/slo.mjs and logs-worker.mjs in ${Date.now() - started} ms`);
