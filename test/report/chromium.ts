/**
 * Debian's Chromium, driven headless by playwright-core: installed with
 * apt-get when /usr/bin/chromium is missing (under CI=true a browser that
 * cannot be had fails the test), started with a fresh profile, no network
 * services, and stopped with its context.
 */

import { access, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";
import { isCI, run } from "../support/servers.js";

export const CHROMIUM = "/usr/bin/chromium";

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** True when Chromium is there (installed if need be); false (with a loud warning) to skip. */
export async function requireChromium(suite: string): Promise<boolean> {
  if (await exists(CHROMIUM)) return true;
  let reason = "not root, cannot apt-get install chromium";
  if (process.getuid?.() === 0) {
    const result = await run(
      "bash",
      [
        "-c",
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium",
      ],
      { timeoutMs: 300_000 },
    );
    if (await exists(CHROMIUM)) return true;
    reason = `apt-get install chromium exited ${result.code}: ${result.output.slice(-2000)}`;
  }
  const message = `${suite}: cannot run, ${reason}`;
  if (isCI()) throw new Error(`${message}\n(CI=true: a missing browser fails the run)`);
  console.warn(`\n${"!".repeat(78)}\n!! SKIPPED ${message}\n${"!".repeat(78)}\n`);
  return false;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchChromium(options: { javaScript: boolean }): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), "slo-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    javaScriptEnabled: options.javaScript,
    viewport: { width: 1100, height: 1000 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
