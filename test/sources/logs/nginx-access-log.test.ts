/**
 * A real access log, written by a real nginx (Debian's), counted by the
 * logs source and by the real Loki 2.7.5 with the same LogQL: the same
 * counts. nginx runs on 127.0.0.1 from a folder of its own (pid file,
 * error log and access log in it), answers a bounded number of requests,
 * some with 5xx, and is stopped by its PID; its lines then go to the logs
 * source as a file and to Loki through the push API.
 */

import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readLogTimestamp } from "../../../src/definition/log-timestamp.js";
import {
  compileTimeLayout,
  type LayoutChunk,
  parseWithLayout,
} from "../../../src/definition/time-layout.js";
import { nanos, type RunningLoki, requireLoki, startLoki } from "../../support/loki.js";
import { freePort } from "../../support/misbehaving-server.js";
import { isCI, launch, tempDir, which } from "../../support/servers.js";
import { countOne, FIXTURES, logsSpec, ratio, request, T } from "./helpers.js";

/** What the test asks nginx, in this order: path and how many times. */
const REQUESTS: [string, number][] = [
  ["/ok", 12],
  ["/unavailable", 5],
  ["/broken", 3],
  ["/api/orders", 7],
  ["/missing", 4],
];

function nginxConfig(dir: string, port: number): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 64; }
http {
  access_log ${dir}/access.log combined;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location = /ok { return 200 "ok\\n"; }
    location = /unavailable { return 503; }
    location = /broken { return 500; }
    location /api/ { return 201 "created\\n"; }
    location / { return 404; }
  }
}
`;
}

async function findNginx(): Promise<string | null> {
  const found =
    (await which("nginx")) ?? ((await which("/usr/sbin/nginx")) ? "/usr/sbin/nginx" : null);
  if (found) return found;
  if (isCI()) throw new Error("nginx is not installed (CI=true: a missing server fails the run)");
  console.warn("!! SKIPPED the nginx access log test: no nginx (apt-get install nginx-light)");
  return null;
}

/** Runs nginx, sends REQUESTS (each with its own ?n= so no two lines are equal), stops it; the access log's lines. */
async function accessLogLines(nginx: string, dir: string): Promise<string[]> {
  const port = await freePort();
  const conf = join(dir, "nginx.conf");
  await writeFile(conf, nginxConfig(dir, port));
  const server = await launch("nginx", nginx, ["-p", dir, "-c", conf, "-g", "daemon off;"], {
    cwd: dir,
    readyPath: "/ok?n=ready",
    port,
  });
  try {
    let n = 0;
    for (const [path, times] of REQUESTS) {
      for (let i = 0; i < times; i++) {
        const response = await fetch(`${server.url}${path}?n=${n++}`, {
          method: path.startsWith("/api/") ? "POST" : "GET",
        });
        await response.arrayBuffer();
      }
    }
  } finally {
    await server.stop();
  }
  const text = await readFile(join(dir, "access.log"), "utf8");
  return text.split("\n").filter((line) => line !== "");
}

const PATTERN = '| pattern `<_> - <_> [<_>] "<method> <path> <_>" <status> <_>`';
const REGEXP = '| regexp `"(?P<method>[A-Z]+) (?P<path>[^ ?]+)\\S* [^"]*" (?P<status>\\d{3})`';
/**
 * Each a log query, and how many lines it counts when REQUESTS says so (null:
 * it also counts nginx's readiness probes). Loki counts it as
 * sum(count_over_time(<query> [1h])).
 */
const QUERIES: [string, number | null][] = [
  [`{app="nginx"} ${PATTERN}`, null],
  [`{app="nginx"} ${PATTERN} | status >= 500 | __error__=""`, 8],
  [`{app="nginx"} ${PATTERN} | status >= 400 and status < 500 | __error__=""`, 4],
  [`{app="nginx"} ${PATTERN} | method = "POST"`, 7],
  [`{app="nginx"} ${PATTERN} | path =~ "/(unavailable|broken).*"`, 8],
  [`{app="nginx"} ${REGEXP} | status >= 500 | __error__=""`, 8],
  [`{app="nginx"} ${REGEXP} | path = "/api/orders"`, 7],
  [`{app="nginx"} |= "HTTP/1.1\\" 5" ${PATTERN}`, 8],
];

/** The lines whose [time] reads as clf, with that time: the ones the logs source counts. */
function timedLines(lines: string[], chunks: LayoutChunk[]): [string, string][] {
  const out: [string, string][] = [];
  for (const line of lines) {
    const text = /\[([^\]]+)\]/.exec(line)?.[1];
    const ms = text === undefined ? null : parseWithLayout(chunks, text);
    if (ms !== null) out.push([nanos(ms), line]);
  }
  return out;
}

const bin = await requireLoki("nginx access log, logs source against Loki");
const nginx = await findNginx();

describe.skipIf(bin === null || nginx === null)(
  "a real nginx access log: logs source and Loki agree",
  () => {
    let loki: RunningLoki;
    let dir: string;
    let lines: string[];
    /** (T - 1h, T]: T a second after the last line */
    let endMs: number;

    beforeAll(async () => {
      dir = await tempDir("nginx");
      [loki, lines] = await Promise.all([startLoki(bin!), accessLogLines(nginx!, dir)]);
      const layout = compileTimeLayout("clf");
      if (!layout.ok) throw new Error(layout.message);
      const times = lines.map(
        (line) => parseWithLayout(layout.chunks, /\[([^\]]+)\]/.exec(line)![1]!)!,
      );
      endMs = Math.max(...times) + 1000;
      const apache = (await readFile(join(FIXTURES, "access-combined.txt"), "utf8")).split("\n");
      await loki.push([
        { stream: { app: "nginx" }, values: lines.map((line, i) => [nanos(times[i]!), line]) },
        { stream: { app: "apache" }, values: timedLines(apache, layout.chunks) },
      ]);
    }, 60_000);

    afterAll(async () => {
      await loki?.stop();
    });

    /** What Loki counts over (end - range, end]: an instant query at end + 1ns (loki.md, section 4). */
    async function lokiCount(query: string, endMs: number, range: string): Promise<number> {
      const metric = `sum(count_over_time(${query} [${range}]))`;
      const url = `${loki.url}/loki/api/v1/query?query=${encodeURIComponent(metric)}&time=${nanos(endMs, 1)}`;
      const response = await fetch(url);
      const body = await response.text();
      if (response.status !== 200) throw new Error(`Loki: HTTP ${response.status} ${body}`);
      const parsed = JSON.parse(body) as { data: { result: { value: [number, string] }[] } };
      return Number(parsed.data.result[0]?.value[1] ?? 0);
    }

    it("wrote every request to the log, the 5xx among them", () => {
      const sent = REQUESTS.reduce((sum, [, times]) => sum + times, 0);
      expect(lines.filter((line) => /\?n=\d+ /.test(line))).toHaveLength(sent);
      expect(lines.filter((line) => /" 50[03] /.test(line))).toHaveLength(8);
    });

    for (const [query, expected] of QUERIES) {
      it(`counts the same: ${query}`, async () => {
        const time = readLogTimestamp({ pattern: "<_> [<time>] <_>", format: "clf" });
        const spec = {
          type: "logs" as const,
          name: "nginx",
          paths: [join(dir, "access.log")],
          ...time.value,
          labels: { app: "nginx" },
          baseDir: dir,
        };
        const window = { key: "1h", startMs: endMs - 3_600_000, endMs };
        const result = await countOne(
          spec,
          request(ratio({ total: query, bad: query }), { windows: [window] }),
        );
        const fromFile = result.windows["1h"]!.total;

        const fromLoki = await lokiCount(query, endMs, "1h");

        expect(fromFile).toBe(fromLoki);
        if (expected !== null) expect(fromFile).toBe(expected);
        else expect(fromFile).toBeGreaterThan(REQUESTS.reduce((sum, [, times]) => sum + times, 0));
      });
    }

    // Apache's combined format, with a line whose request is "-" (a timeout):
    // its status reads '"-"', a LabelFilterErr on Loki, not a number here
    const APACHE =
      '| pattern `<ip> <_> <user> [<_>] "<method> <path> <_>" <status> <size> "<referer>" "<agent>"`';
    const APACHE_QUERIES = [
      `{app="apache"} ${APACHE}`,
      `{app="apache"} ${APACHE} | status >= 500 | __error__=""`,
      `{app="apache"} ${APACHE} | status < 500 | __error__=""`,
      `{app="apache"} ${APACHE} | user = "frank" or agent =~ "Mozilla.*"`,
      `{app="apache"} ${APACHE} | status = "\\"-\\""`,
    ];
    for (const query of APACHE_QUERIES) {
      it(`counts the Apache fixture the same: ${query}`, async () => {
        const time = readLogTimestamp({ pattern: "<_> [<time>] <_>", format: "clf" });
        const spec = logsSpec(["access-combined.txt"], {
          ...time.value,
          labels: { app: "apache" },
        });
        const window = { key: "1d", startMs: T - 86_400_000, endMs: T };
        const result = await countOne(
          spec,
          request(ratio({ total: query, bad: query }), { windows: [window] }),
        );
        expect(result.windows["1d"]!.total).toBe(await lokiCount(query, window.endMs, "1d"));
      });
    }
  },
);
