/** Run a command under /usr/bin/time: wall and CPU seconds, peak RSS, its stdout. */

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Measured {
  wallS: number;
  cpuS: number;
  peakRssMb: number;
  stdout: string;
  /** what it wrote to stderr, to say why when it failed */
  stderr: string;
  code: number;
}

/**
 * `/usr/bin/time -f` reports the child's own figures (max RSS of the
 * process, all its threads). stdout: "capture" keeps it, "discard" sends it
 * to /dev/null (for the floors). A shell command runs through sh -c.
 */
export function measure(
  command: string,
  args: string[],
  stdout: "capture" | "discard",
  env: NodeJS.ProcessEnv = process.env,
): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), "slo-bench-"));
  const timeFile = join(dir, "time");
  return new Promise((resolve, reject) => {
    const child = spawn("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, command, ...args], {
      stdio: ["ignore", stdout === "capture" ? "pipe" : "ignore", "pipe"],
      env,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (b: Buffer) => out.push(b));
    child.stderr?.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        const fields = readFileSync(timeFile, "utf8").trim().split("\n").at(-1)!.split(" ");
        const [wall, user, sys, rssKb] = fields.map(Number) as [number, number, number, number];
        resolve({
          wallS: wall,
          cpuS: user + sys,
          peakRssMb: rssKb / 1024,
          stdout: Buffer.concat(out).toString("utf8"),
          stderr: Buffer.concat(err).toString("utf8"),
          code: code ?? 1,
        });
      } catch (error) {
        reject(
          new Error(`${command} ${args.join(" ")}: ${Buffer.concat(err).toString()} ${error}`),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

/** The run with the median wall time. */
export function median(runs: Measured[]): Measured {
  const sorted = [...runs].sort((a, b) => a.wallS - b.wallS);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}
