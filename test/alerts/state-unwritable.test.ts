/**
 * A state file that cannot be written, on real file systems: a folder where
 * nothing may be created (sysfs, even for root), a read-only tmpfs, a full
 * tmpfs before the run and one that fills during it. Before anything is
 * sent the run proves the state can be written (exit 2, nothing sent); a
 * disk that fills mid-run is a clear error (exit 3), never "a bug in slo",
 * and nothing more is sent that could not be recorded. Temporary files a
 * killed run left are removed by the next run.
 */

import { execFileSync } from "node:child_process";
import { closeSync, existsSync, openSync, writeSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { lockPathOf } from "../../src/alerts/state-lock.js";
import { hasStackTrace, runCli } from "../support/cli.js";
import { startTestServer, type TestServer } from "../support/misbehaving-server.js";
import { INCIDENT_START, PAGE_AT, SECOND_SLO, writeIncident } from "./incident.js";

const S = INCIDENT_START;

let dir: string;
let sloPath: string;
const servers: TestServer[] = [];
const mounts: string[] = [];

/** A real tmpfs at a new folder, or null where this process may not mount (not root, a container). */
async function tmpfs(options: string): Promise<string | null> {
  const at = await mkdtemp(join(tmpdir(), "slo-tmpfs-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", at], { stdio: "ignore" });
  } catch {
    return null;
  }
  mounts.push(at);
  return at;
}

/** Fill a file system to the last byte: the next write fails with ENOSPC. */
function fill(folder: string): string {
  const path = join(folder, "filler");
  const fd = openSync(path, "w");
  const chunk = Buffer.alloc(4096, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
  return path;
}

const canMount = await (async () => {
  const probe = await tmpfs("size=64k");
  return probe !== null;
})();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-state-unwritable-"));
  ({ sloPath } = await writeIncident(dir, S, { extraSlos: SECOND_SLO }));
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => {
  for (const at of mounts) execFileSync("umount", ["-l", at], { stdio: "ignore" });
});

async function hook(...args: Parameters<typeof startTestServer>) {
  const s = await startTestServer(...args);
  servers.push(s);
  return s;
}

const alerts = (url: string, state: string) =>
  runCli(["alerts", sloPath, "--at", PAGE_AT, "--webhook", `${url}/hook`, "--state", state]);

function expectNoBug(result: { stdout: string; stderr: string }) {
  expect(hasStackTrace(result.stdout + result.stderr)).toBe(false);
  expect(result.stderr).not.toMatch(/internal error|bug in slo/);
}

describe("a --state that cannot be written", () => {
  it.skipIf(!existsSync("/sys/kernel"))(
    "a folder nothing may be created in (sysfs, EACCES even for root): exit 2 naming it, nothing sent",
    async () => {
      const server = await hook(() => ({ status: 200 }));
      const state = "/sys/slo-alerts-state.json";
      const result = await alerts(server.url, state);
      expectNoBug(result);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `--state ${state}: cannot be written in /sys: permission denied (EACCES); nothing was sent`,
      );
      expect(server.requests).toEqual([]);
    },
  );

  it.skipIf(!canMount)("a read-only file system (EROFS): exit 2, nothing sent", async () => {
    const ro = (await tmpfs("ro,size=64k"))!;
    const server = await hook(() => ({ status: 200 }));
    const result = await alerts(server.url, join(ro, "state.json"));
    expectNoBug(result);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--state ${join(ro, "state.json")}: cannot be written in ${ro}: read-only file system (EROFS)`,
    );
    expect(server.requests).toEqual([]);
  });

  it.skipIf(!canMount)("a full disk before the run (ENOSPC): exit 2, nothing sent", async () => {
    const full = (await tmpfs("size=64k"))!;
    fill(full);
    const server = await hook(() => ({ status: 200 }));
    const state = join(full, "state.json");
    const result = await alerts(server.url, state);
    expectNoBug(result);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `--state ${state}: cannot be written in ${full}: no space left on device (ENOSPC)`,
    );
    expect(server.requests).toEqual([]);
    expect(await readdir(full)).toEqual(["filler"]);
  });

  it.skipIf(!canMount)(
    "a disk that fills during the run: exit 3 with a clear error, and nothing more sent that could not be recorded",
    async () => {
      const disk = (await tmpfs("size=256k"))!;
      const state = join(disk, "state.json");
      let filler: string | undefined;
      // The first message fills the disk as it is delivered: recording it fails.
      const server = await hook(() => {
        filler ??= fill(disk);
        return { status: 200 };
      });
      const result = await alerts(server.url, state);
      expectNoBug(result);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        `--state ${state}: cannot write: no space left on device (ENOSPC); the message just delivered could not be recorded and the next run sends it again`,
      );
      expect(server.requests).toHaveLength(1);
      // No part-written temporary file, no lock left behind.
      expect((await readdir(disk)).sort()).toEqual(["filler"]);

      await rm(filler!);
      const rerun = await alerts(server.url, state);
      expectNoBug(rerun);
      expect(rerun.code).toBe(0);
      expect(rerun.stdout).toContain(
        "sent: fired PAGE checkout/availability; fired PAGE checkout/availability-strict",
      );
    },
  );
});

describe("temporary files of a killed run", () => {
  it("are removed by the next run; other files in the folder are not", async () => {
    const folder = join(dir, "leftovers");
    await mkdir(folder);
    const state = join(folder, "state.json");
    const leftovers = [".state.json.0123456789ab.tmp", ".state.json.a1b2c3d4e5f6.tmp"];
    const kept = [".other.json.0123456789ab.tmp", ".state.json.notours.tmp", "notes.txt"];
    for (const name of [...leftovers, ...kept]) await writeFile(join(folder, name), "{");
    const server = await hook(() => ({ status: 200 }));
    const result = await alerts(server.url, state);
    expect(result.code, result.stderr).toBe(0);
    expect((await readdir(folder)).sort()).toEqual([...kept, "state.json"].sort());
    await expect(stat(lockPathOf(state))).rejects.toThrow();
  });
});
