/**
 * Log paths that are not regular files: a FIFO with no writer would block
 * the read forever, so a named one is a source error and globs skip it.
 * Real FIFOs (mkfifo); a hang fails on the test's timeout.
 */

import { execFileSync } from "node:child_process";
import {
  closeSync,
  constants,
  mkdtempSync,
  openSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { countError, countOne, logsSpec, ratio, request, T } from "./helpers.js";

const ALL = ratio({ total: "| json", bad: "| json | status >= 500" });
/** Long enough for the source to read a small file; a read blocked on a FIFO never ends. */
const HANG_MS = 10_000;

let dir: string;
const fifos: string[] = [];

function makeFifo(name: string): string {
  const path = join(dir, name);
  execFileSync("mkfifo", [path]);
  fifos.push(path);
  return path;
}

/** Opening a FIFO for writing releases a reader blocked on it, should a test fail that way. */
function releaseBlockedReaders(): void {
  for (const path of fifos.splice(0)) {
    try {
      closeSync(openSync(path, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // ENXIO: nobody is reading it
    }
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "slo-fifo-"));
  const line = (status: number) => JSON.stringify({ t: new Date(T - 1000).toISOString(), status });
  writeFileSync(join(dir, "a.ndjson"), `${line(200)}\n${line(500)}\n`);
});

afterEach(() => {
  releaseBlockedReaders();
  rmSync(dir, { recursive: true });
});

describe("log paths that are not regular files", () => {
  it(
    "a FIFO named as a path is a source error naming it, not a hang",
    async () => {
      makeFifo("pipe.ndjson");
      const error = await countError(
        logsSpec(["a.ndjson", "pipe.ndjson"], { baseDir: dir }),
        request(ALL),
      );
      expect(error.code).toBe("source");
      expect(error.message).toContain("'pipe.ndjson' is not a regular file");
      expect(error.message).toContain("a FIFO");
      expect(error.message).toContain("a pipe as '-' (stdin)");
    },
    HANG_MS,
  );

  it(
    "a symlink to a FIFO named as a path is the same error",
    async () => {
      symlinkSync(makeFifo("pipe"), join(dir, "link.ndjson"));
      const error = await countError(logsSpec(["link.ndjson"], { baseDir: dir }), request(ALL));
      expect(error.message).toContain("'link.ndjson' is not a regular file");
    },
    HANG_MS,
  );

  it(
    "a character device named as a path is refused too",
    async () => {
      const error = await countError(logsSpec(["/dev/null"], { baseDir: dir }), request(ALL));
      expect(error.code).toBe("source");
      expect(error.message).toContain("'/dev/null' is not a regular file (a character device)");
    },
    HANG_MS,
  );

  it(
    "a glob and a recursive glob read only the regular files they match",
    async () => {
      makeFifo("pipe.ndjson");
      symlinkSync(join(dir, "pipe.ndjson"), join(dir, "link.ndjson"));
      for (const paths of [["*.ndjson"], ["**/*.ndjson"]]) {
        const result = await countOne(logsSpec(paths, { baseDir: dir }), request(ALL), {
          workers: 0,
        });
        expect(result.windows["5m"]).toEqual({ good: 1, total: 2 });
        expect(result.diagnostics.lines).toBe(2);
      }
    },
    HANG_MS,
  );
});
