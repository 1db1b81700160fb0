// Gate for tests that need root (network namespaces, veth, CNI plugins, /run/netns).
// On a developer's unprivileged machine they skip with a printed reason; under CI=true they never skip:
// a missing privilege or tool fails the run instead of hiding the tests.
import { accessSync, constants } from "node:fs";
import { describe } from "vitest";

export const CNI_PLUGIN_DIRS = ["/usr/lib/cni", "/opt/cni/bin"] as const;

export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** Directory holding the reference CNI plugins (Debian: /usr/lib/cni), or undefined. */
export function findCniPluginDir(): string | undefined {
  for (const dir of CNI_PLUGIN_DIRS) {
    try {
      accessSync(`${dir}/bridge`, constants.X_OK);
      return dir;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

/** Why privileged tests cannot run here, or undefined when they can. */
export function privilegedSkipReason(): string | undefined {
  if (!isRoot()) return "needs root to create network namespaces";
  if (findCniPluginDir() === undefined) {
    return `reference CNI plugins not found in ${CNI_PLUGIN_DIRS.join(" or ")} (apt-get install containernetworking-plugins)`;
  }
  return undefined;
}

/**
 * `describe` for privileged tests. Skips with a printed reason when not privileged, except under
 * CI=true, where the block runs anyway so that its failures show.
 */
export function describePrivileged(name: string, body: () => void): void {
  const reason = privilegedSkipReason();
  if (reason !== undefined && process.env.CI !== "true") {
    process.stderr.write(`skipping privileged tests "${name}": ${reason}\n`);
    describe.skip(name, body);
    return;
  }
  if (reason !== undefined) {
    describe(name, () => {
      throw new Error(`privileged tests "${name}" cannot run under CI=true: ${reason}`);
    });
    return;
  }
  describe(name, body);
}
