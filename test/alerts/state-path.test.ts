/** What a --state path may be: a file, or a link to one; never a FIFO that would make the run wait forever. */

import { execFileSync } from "node:child_process";
import { lstat, mkdir, mkdtemp, readFile, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { startTestServer } from "../support/misbehaving-server.js";
import { INCIDENT_START, PAGE_AT, writeIncident } from "./incident.js";

let dir: string;
let sloPath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "slo-state-path-"));
  ({ sloPath } = await writeIncident(dir, INCIDENT_START));
});

async function alertsWithState(state: string) {
  const server = await startTestServer(() => ({ status: 200 }));
  try {
    const result = await runCli([
      "alerts",
      sloPath,
      "--at",
      PAGE_AT,
      "--webhook",
      `${server.url}/hook`,
      "--state",
      state,
    ]);
    return { result, sent: server.requests.length };
  } finally {
    await server.close();
  }
}

describe("--state", () => {
  it("through a symlink: the file it points at is written, and the link stays a link", async () => {
    const real = join(dir, "real");
    await mkdir(real);
    const link = join(dir, "link.json");
    await symlink(join(real, "state.json"), link);
    const { result, sent } = await alertsWithState(link);
    expect(result.code).toBe(0);
    expect(sent).toBe(1);
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(JSON.parse(await readFile(join(real, "state.json"), "utf8"))).toMatchObject({
      version: 1,
    });
  });

  it("a FIFO is refused (exit 2) before anything is sent, instead of waiting forever", {
    timeout: 20_000,
  }, async () => {
    const fifo = join(dir, "state.fifo");
    execFileSync("mkfifo", [fifo]);
    const { result, sent } = await alertsWithState(fifo);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`--state ${fifo} is a FIFO`);
    expect(sent).toBe(0);
  });
});
