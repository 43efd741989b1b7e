/** The files and variables a GitHub runner gives a step, in a temp folder. */

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RunnerFiles {
  dir: string;
  env: Record<string, string>;
  summary(): string;
  outputs(): Record<string, string>;
}

export function runnerFiles(
  apiUrl: string,
  eventName: string,
  payload: unknown,
  extra: Record<string, string> = {},
): RunnerFiles {
  const dir = mkdtempSync(join(tmpdir(), "slo-runner-"));
  const event = join(dir, "event.json");
  writeFileSync(event, JSON.stringify(payload));
  const summary = join(dir, "summary.md");
  const output = join(dir, "output.txt");
  writeFileSync(summary, "");
  writeFileSync(output, "");
  return {
    dir,
    env: {
      GITHUB_ACTIONS: "true",
      GITHUB_API_URL: apiUrl,
      GITHUB_SERVER_URL: "https://github.test",
      GITHUB_REPOSITORY: "acme/shop",
      GITHUB_SHA: "0000000000000000000000000000000000000000",
      GITHUB_RUN_ID: "4242",
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: event,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      GITHUB_WORKSPACE: dir,
      RUNNER_TEMP: dir,
      ...extra,
    },
    summary: () => readFileSync(summary, "utf8"),
    outputs: () => parseOutputFile(readFileSync(output, "utf8")),
  };
}

/** GITHUB_OUTPUT as the runner reads it: `name<<DELIM ... DELIM` or `name=value`; the last write wins. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) {
      out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
    }
  }
  return out;
}

export const HEAD = "1111111111111111111111111111111111111111";

export function pullRequestEvent(number: number, labels: string[] = [], fork = false) {
  return {
    action: "synchronize",
    number,
    pull_request: {
      number,
      head: { sha: HEAD, repo: { full_name: fork ? "mallory/shop" : "acme/shop" } },
      base: { sha: "2222222222222222222222222222222222222222", repo: { full_name: "acme/shop" } },
      labels: labels.map((name) => ({ name })),
    },
    repository: { full_name: "acme/shop" },
  };
}
