import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Most files wait on servers, subprocesses and sockets, not the CPU: three
    // at a time on two cores (vitest's default here would be one).
    maxWorkers: 3,
    globalSetup: ["test/support/global-setup.ts"],
  },
});
