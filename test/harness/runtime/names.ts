// Names for everything the harness creates on the machine. Every name starts with a run prefix
// `nc-<pid>-<random>`: unique per harness (parallel test files never collide) and carrying the pid of the
// process that owns it, so a later sweep can tell a crashed run's leftovers from a live run's resources.
import { randomBytes, randomUUID } from "node:crypto";

export const NAME_PREFIX = "nc-";
/** Linux IFNAMSIZ is 16 including the NUL. */
export const MAX_IFNAME_LENGTH = 15;

export function newRunPrefix(
  pid: number = process.pid,
  random: string = randomBytes(3).toString("hex"),
): string {
  return `${NAME_PREFIX}${pid}-${random}`;
}

/** A pod sandbox id shaped like containerd's (64 hex characters). */
export function newSandboxId(): string {
  return randomBytes(32).toString("hex");
}

/** The netns name containerd would use (`cni-<uuid>`), under the run prefix. */
export function podNetnsName(runPrefix: string, uuid: string = randomUUID()): string {
  return `${runPrefix}-cni-${uuid}`;
}

/** The pid of the run that made `name`, or undefined when `name` does not follow the run-prefix pattern. */
export function ownerPidOf(name: string): number | undefined {
  if (!name.startsWith(NAME_PREFIX)) return undefined;
  const match = /^(\d+)-[0-9a-f]+(?:-|$)/.exec(name.slice(NAME_PREFIX.length));
  if (match === null) return undefined;
  const pid = Number(match[1]);
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/**
 * Whether a resource named `name` is a leftover: it carries `prefix`, follows the run-prefix pattern, and
 * its owner process is gone. Resources of live runs are never leftovers, so a sweep at the start of one
 * test file cannot break another; names without an owner pid are not ours to judge and are kept.
 */
export function isLeftover(name: string, prefix: string, isAlive: (pid: number) => boolean): boolean {
  if (!name.startsWith(prefix)) return false;
  const pid = ownerPidOf(name);
  return pid !== undefined && !isAlive(pid);
}

/** Whether a process with this pid exists (EPERM means it exists but is not ours). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
