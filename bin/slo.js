#!/usr/bin/env node
// An installed package runs its bundle (dist/cli/slo.mjs), or else its
// compiled dist/lib. In a clone, the bundle that
// `npm ci` builds (dist/cli/slo.mjs) runs when it is newer than every source
// file; otherwise tsx runs the TypeScript source, so what runs is always what
// is checked out.
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const sourceDir = join(root, "src");
const bundle = join(root, "dist", "cli", "slo.mjs");

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(sourceDir)) {
  // an installed package: the bundle when it was packed with one (it starts faster)
  const compiled = existsSync(bundle) ? bundle : join(root, "dist", "lib", "cli", "main.js");
  await import(pathToFileURL(compiled).href);
} else if (existsSync(bundle) && statSync(bundle).mtimeMs >= newestMtime(sourceDir)) {
  await import(pathToFileURL(bundle).href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import(pathToFileURL(join(sourceDir, "cli", "main.ts")).href);
}
