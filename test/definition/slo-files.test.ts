/**
 * The SLO files a run reads are the user's: whatever is wrong with one (a
 * FIFO, a dangling or looping symlink, a folder where a file should be, no
 * permission, a file too large) is exit 2 naming the path and the reason,
 * never a hang and never "a bug in slo".
 */

import { execFileSync } from "node:child_process";
import {
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { loadSpec } from "../../src/definition/load.js";
import { MAX_SLO_FILE_BYTES } from "../../src/limits.js";
import { hasStackTrace, runCli } from "../support/cli.js";

const VALID = `service: svc
sources:
  logs: { type: logs, paths: [events.ndjson] }
slos:
  - name: availability
    objective: 99%
    window: 30d
    indicator: { ratio: { source: logs, total: "| json", bad: "| json | status >= 500" } }
`;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "slo-files-"));
}

/** A folder holding one valid SLO file, a.yaml. */
function folderWithOneSlo(): string {
  const dir = tempDir();
  writeFileSync(join(dir, "a.yaml"), VALID);
  return dir;
}

const fifos: string[] = [];

function makeFifo(path: string): string {
  execFileSync("mkfifo", [path]);
  fifos.push(path);
  return path;
}

// A reader stuck on a FIFO (a regression) is released: opening the write end
// without blocking succeeds only when someone waits to read, and closing it
// hands them end-of-file, so a failed test never leaves a hung thread behind.
afterEach(() => {
  for (const fifo of fifos.splice(0)) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader: nothing to release
    }
  }
});

async function validate(...paths: string[]) {
  const r = await runCli(["validate", ...paths]);
  expect(hasStackTrace(r.stderr), r.stderr).toBe(false);
  expect(r.stderr).not.toContain("internal error");
  return r;
}

describe("FIFOs among the SLO files", () => {
  it("a FIFO inside an SLO folder is skipped: validate neither hangs nor fails", async () => {
    const dir = folderWithOneSlo();
    makeFifo(join(dir, "pipe.yaml"));
    const r = await validate(dir);
    expect(r.code, r.stderr).toBe(0);
    const { set, errors } = await loadSpec([dir], { env: {} });
    expect(errors).toEqual([]);
    expect(set.files).toEqual([join(dir, "a.yaml")]);
  }, 10_000);

  it("a FIFO named on the command line is refused as not a regular file", async () => {
    const fifo = makeFifo(join(tempDir(), "pipe.yaml"));
    const r = await validate(fifo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(fifo);
    expect(r.stderr).toContain("is a FIFO, not a regular file");
  }, 10_000);

  it("a symlink to a FIFO inside a folder is skipped like the FIFO itself", async () => {
    const dir = folderWithOneSlo();
    const fifo = makeFifo(join(tempDir(), "pipe"));
    symlinkSync(fifo, join(dir, "linked.yaml"));
    const r = await validate(dir);
    expect(r.code, r.stderr).toBe(0);
  }, 10_000);
});

describe("sockets among the SLO files", () => {
  it("a socket in a folder is passed over; named, it is refused as a socket", async () => {
    const dir = folderWithOneSlo();
    const path = join(dir, "socket.yaml");
    const server = createServer();
    await new Promise<void>((done) => server.listen(path, done));
    try {
      expect((await validate(dir)).code).toBe(0);
      const named = await validate(path);
      expect(named.code).toBe(2);
      expect(named.stderr).toContain(`${path}: cannot read this SLO file: it is a socket`);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});

describe("SLO files that cannot be read", () => {
  it("a dangling *.yaml symlink in a folder: exit 2, the path, and where it points", async () => {
    const dir = folderWithOneSlo();
    symlinkSync(join(dir, "gone.yaml"), join(dir, "b.yaml"));
    const r = await validate(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(join(dir, "b.yaml"));
    expect(r.stderr).toContain(`a symlink to ${join(dir, "gone.yaml")}, which does not exist`);
  });

  it("a dangling symlink named on the command line says so too", async () => {
    const dir = tempDir();
    symlinkSync(join(dir, "gone.yaml"), join(dir, "b.yaml"));
    const r = await validate(join(dir, "b.yaml"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("which does not exist");
  });

  it("a symlink to a folder named x.yaml: exit 2, it is a folder", async () => {
    const dir = folderWithOneSlo();
    mkdirSync(join(dir, "real-folder"));
    symlinkSync(join(dir, "real-folder"), join(dir, "x.yaml"));
    const r = await validate(dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${join(dir, "x.yaml")}: cannot read this SLO file: it is a folder`);
  });

  it("a symlink loop says it is a loop, not that nothing is there", async () => {
    const dir = folderWithOneSlo();
    symlinkSync(join(dir, "loop-b.yaml"), join(dir, "loop-a.yaml"));
    symlinkSync(join(dir, "loop-a.yaml"), join(dir, "loop-b.yaml"));
    const inFolder = await validate(dir);
    expect(inFolder.code).toBe(2);
    expect(inFolder.stderr).toContain(
      `${join(dir, "loop-a.yaml")}: cannot read this SLO file: a symlink loop`,
    );
    const named = await validate(join(dir, "loop-a.yaml"));
    expect(named.code).toBe(2);
    expect(named.stderr).toContain("a symlink loop");
    expect(named.stderr).not.toContain("no such file");
  });

  it("a file slo may not read: exit 2, permission denied", async () => {
    const file = unreadableFile();
    const r = await validate(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}: cannot read this SLO file: permission denied`);
  });

  it("a folder slo may not list: exit 2, permission denied", async () => {
    if (isRoot()) {
      // Root lists any folder; /proc/1/map_files refuses even root without
      // the ptrace right, but is not there everywhere: name what ran.
      const folder = "/proc/1/map_files";
      const r = await validate(folder);
      if (r.code === 0) {
        expect(process.env.CI, "as root, no folder refused listing: this case cannot run").toBe(
          undefined,
        );
        return;
      }
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(folder);
      return;
    }
    const dir = folderWithOneSlo();
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(locked, 0o000);
    try {
      const r = await validate(dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`${locked}: cannot list this folder: permission denied`);
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});

function isRoot(): boolean {
  return process.getuid?.() === 0;
}

/**
 * A file whose reading is refused. chmod 000 stops everyone but root; root
 * is refused reading a write-only /proc/sys file (proc checks its owner bits
 * even for root), reached here through a symlink named like an SLO file.
 */
function unreadableFile(): string {
  const dir = tempDir();
  const file = join(dir, "locked.yaml");
  if (!isRoot()) {
    writeFileSync(file, VALID);
    chmodSync(file, 0o000);
    return file;
  }
  const writeOnly = ["/proc/sys/vm/compact_memory", "/proc/sys/net/ipv4/route/flush"].find(
    existsSync,
  );
  if (!writeOnly) throw new Error("running as root without a write-only /proc/sys file");
  symlinkSync(writeOnly, file);
  return file;
}

describe("the size of an SLO file", () => {
  it("a file over the limit is refused before it is parsed, naming its size and the limit", async () => {
    const file = join(tempDir(), "huge.yaml");
    writeFileSync(file, VALID);
    // Sparse: the size is there without writing (or parsing) the bytes.
    truncateSync(file, MAX_SLO_FILE_BYTES + 1);
    const r = await validate(file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `${file}: this SLO file is ${MAX_SLO_FILE_BYTES + 1} bytes; SLO files may be at most ${MAX_SLO_FILE_BYTES} bytes (4 MiB)`,
    );
  });

  it("a file of exactly the limit is read", async () => {
    const file = join(tempDir(), "big.yaml");
    writeFileSync(file, `${VALID}#${" ".repeat(MAX_SLO_FILE_BYTES - VALID.length - 2)}\n`);
    const { errors } = await loadSpec([file], { env: {} });
    expect(errors).toEqual([]);
  });
});
