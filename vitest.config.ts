import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Privileged tests create network namespaces and spawn CNI plugins; keep file-level parallelism
    // modest on a 2-core machine and give them room to finish.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default", "./test/reporters/summary.ts"],
  },
});
