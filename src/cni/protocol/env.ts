// The CNI_* environment variables of one invocation, checked per command as the spec (1.1.0) requires:
//
//   command  required                                      optional
//   ADD      CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME       CNI_ARGS, CNI_PATH
//   CHECK    CNI_CONTAINERID, CNI_NETNS, CNI_IFNAME       CNI_ARGS, CNI_PATH
//   DEL      CNI_CONTAINERID, CNI_IFNAME                  CNI_NETNS, CNI_ARGS, CNI_PATH
//   GC       CNI_PATH                                      (no container)
//   STATUS   -                                             CNI_PATH (no container)
//   VERSION  -                                             -
//
// CNI_COMMAND is always required. Every problem is a CniError with code 4 naming the variable:
// missing ones together in libcni's wording ("required env variables [CNI_NETNS,CNI_IFNAME] missing"),
// a container ID or interface name that breaks the spec's character rules, an unknown command, a
// malformed CNI_ARGS. (libcni's skel also demands CNI_PATH for ADD/DEL/CHECK; the spec does not.)
//
// The environment is passed in; only the entry point reads process.env.
//
// Public API: `CniEnvironment`, `parseCniEnvironment`, `parseCniArgs`, `CniArgs`, `validateContainerId`,
// `validateInterfaceName`, `interfaceNameProblem`, `MAX_INTERFACE_NAME_BYTES`, `splitCniPath`, `Env`.
import { CniError } from "./errors.ts";
import { CNI_COMMANDS } from "./version.ts";
import type { CniCommand } from "./version.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/** CNI_ARGS as given and as parsed. Keys are case-sensitive; a later duplicate wins in `values`. */
export interface CniArgs {
  /** The variable as it was, "" when unset. */
  raw: string;
  /** Every `K=V` pair in order, duplicates included. */
  pairs: ReadonlyArray<readonly [string, string]>;
  values: ReadonlyMap<string, string>;
  /** `IgnoreUnknown=true|1` (case-insensitive); false when absent. */
  ignoreUnknown: boolean;
  /** The Kubernetes keys runtimes pass; undefined when absent or empty. */
  k8s: {
    podNamespace?: string;
    podName?: string;
    podInfraContainerId?: string;
    podUid?: string;
  };
}

/** The variables of a command that acts on one attachment (ADD, CHECK, DEL). */
interface AttachmentEnv {
  containerId: string;
  ifName: string;
  args: CniArgs;
  /** CNI_PATH split on ':', empty entries dropped. */
  path: string[];
}

/**
 * The checked variables. GC and STATUS concern no container, so they carry only CNI_PATH; VERSION
 * carries nothing. Variables a command does not use are not read (a malformed CNI_ARGS does not fail
 * STATUS).
 */
export type CniEnvironment =
  | (AttachmentEnv & { command: "ADD" | "CHECK"; netns: string })
  | (AttachmentEnv & { command: "DEL"; netns?: string })
  | { command: "GC" | "STATUS"; path: string[] }
  | { command: "VERSION" };

const REQUIRED_FOR: Readonly<Record<CniCommand, readonly string[]>> = {
  ADD: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"],
  CHECK: ["CNI_CONTAINERID", "CNI_NETNS", "CNI_IFNAME"],
  DEL: ["CNI_CONTAINERID", "CNI_IFNAME"],
  GC: ["CNI_PATH"],
  STATUS: [],
  VERSION: [],
};

function invalidEnv(msg: string, details?: string): CniError {
  return new CniError("INVALID_ENVIRONMENT", msg, { details });
}

function missing(names: readonly string[]): CniError {
  return invalidEnv(`required env variables [${names.join(",")}] missing`);
}

const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
/** IFNAMSIZ - 1: the kernel's limit for an interface name, in bytes. */
export const MAX_INTERFACE_NAME_BYTES = 15;

/** The spec's container ID rule; throws code 4 naming CNI_CONTAINERID. */
export function validateContainerId(id: string): void {
  if (CONTAINER_ID_RE.test(id)) return;
  throw invalidEnv(
    `invalid CNI_CONTAINERID ${JSON.stringify(id)}`,
    "a container ID starts with a letter or digit, followed by letters, digits, '_', '.' or '-'",
  );
}

/** Why `name` cannot be an interface name (the spec's and the kernel's rules), or undefined. */
export function interfaceNameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  if (Buffer.byteLength(name, "utf8") > MAX_INTERFACE_NAME_BYTES) {
    return `must be at most ${MAX_INTERFACE_NAME_BYTES} bytes long`;
  }
  if (name === "." || name === "..") return 'must not be "." or ".."';
  if (/[/:\s]/u.test(name)) return "must not contain '/', ':' or whitespace";
  return undefined;
}

/** Throws code 4 naming CNI_IFNAME when the name breaks the rules. */
export function validateInterfaceName(name: string): void {
  const problem = interfaceNameProblem(name);
  if (problem !== undefined) throw invalidEnv(`invalid CNI_IFNAME ${JSON.stringify(name)}: ${problem}`);
}

const TRUE_WORDS = new Set(["true", "1"]);
const FALSE_WORDS = new Set(["false", "0"]);

function parseIgnoreUnknown(value: string | undefined): boolean {
  if (value === undefined) return false;
  const word = value.toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  throw invalidEnv(`invalid CNI_ARGS: IgnoreUnknown=${JSON.stringify(value)}: expected true, false, 1 or 0`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Parses `K=V;K=V`. A value may contain '=' (split at the first one); empty items (a trailing ';') are
 * skipped; an item without '=' or with an empty key is an error (code 4, naming CNI_ARGS). Unknown keys
 * are kept: netclaim forwards them to delegates, which apply their own IgnoreUnknown rule.
 */
export function parseCniArgs(raw: string): CniArgs {
  const pairs: (readonly [string, string])[] = [];
  for (const item of raw.split(";")) {
    if (item === "") continue;
    const eq = item.indexOf("=");
    if (eq <= 0) {
      throw invalidEnv(
        `invalid CNI_ARGS: ${JSON.stringify(item)} is not a KEY=VALUE pair`,
        `CNI_ARGS=${raw}`,
      );
    }
    pairs.push([item.slice(0, eq), item.slice(eq + 1)] as const);
  }
  const values = new Map(pairs);
  return {
    raw,
    pairs,
    values,
    ignoreUnknown: parseIgnoreUnknown(values.get("IgnoreUnknown")),
    k8s: {
      podNamespace: nonEmpty(values.get("K8S_POD_NAMESPACE")),
      podName: nonEmpty(values.get("K8S_POD_NAME")),
      podInfraContainerId: nonEmpty(values.get("K8S_POD_INFRA_CONTAINER_ID")),
      podUid: nonEmpty(values.get("K8S_POD_UID")),
    },
  };
}

/** CNI_PATH entries, ':' separated (Linux), empty entries dropped. */
export function splitCniPath(raw: string | undefined): string[] {
  return (raw ?? "").split(":").filter((p) => p !== "");
}

function parseCommand(env: Env): CniCommand {
  const command = env.CNI_COMMAND ?? "";
  if (command === "") throw missing(["CNI_COMMAND"]);
  if (!(CNI_COMMANDS as readonly string[]).includes(command)) {
    throw invalidEnv(`unknown CNI_COMMAND: ${command}`, `supported commands: ${CNI_COMMANDS.join(", ")}`);
  }
  return command as CniCommand;
}

/** Reads and checks the CNI_* variables for the command in CNI_COMMAND. Throws CniError code 4. */
export function parseCniEnvironment(env: Env): CniEnvironment {
  const command = parseCommand(env);
  const absent = REQUIRED_FOR[command].filter((name) => (env[name] ?? "") === "");
  if (absent.length > 0) throw missing(absent);
  if (command === "VERSION") return { command };
  const path = splitCniPath(env.CNI_PATH);
  if (command === "GC" || command === "STATUS") return { command, path };
  const containerId = env.CNI_CONTAINERID ?? "";
  const ifName = env.CNI_IFNAME ?? "";
  validateContainerId(containerId);
  validateInterfaceName(ifName);
  const base: AttachmentEnv = { containerId, ifName, args: parseCniArgs(env.CNI_ARGS ?? ""), path };
  if (command === "DEL") return { command, netns: nonEmpty(env.CNI_NETNS), ...base };
  return { command, netns: env.CNI_NETNS ?? "", ...base };
}
