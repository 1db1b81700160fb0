// Cache file names: one file per attachment, named `<containerID>@<ifname>` in the cache directory.
// The container ID must follow the spec's rule (letters, digits, '_', '.', '-'; first a letter or digit),
// so it never holds '@', '/' or a leading '.', and the first '@' always ends it; the interface name must
// be one the kernel would take (1-15 bytes, not "." or "..", no '/', ':' or whitespace), and any
// character of it outside [A-Za-z0-9_.-] is percent-encoded, so no two keys share a file and no key
// escapes the directory. (Multus names its file `<containerID>`, libcni `<network>-<containerID>-<ifname>`;
// both can collide, and Multus keeps only one file per container.) Pure.
import { CodedError } from "../../common/errors.ts";

export interface AttachmentKey {
  containerID: string;
  ifname: string;
}

const CONTAINER_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const PLAIN_CHAR_RE = /^[A-Za-z0-9_.-]$/;
const MAX_IFNAME_BYTES = 15;
/**
 * NAME_MAX of Linux file systems (255) less room for the atomic write's temp name
 * (`.<name>.tmp-<pid>-<12 hex>`).
 */
const MAX_FILE_NAME_BYTES = 255 - 32;
export const KEY_SEPARATOR = "@";

/** Why `id` cannot be a cache key's container ID, or undefined. */
export function containerIdProblem(id: string): string | undefined {
  if (id === "") return "the container ID is empty";
  if (!CONTAINER_ID_RE.test(id)) {
    return `invalid container ID ${JSON.stringify(id)}: it must start with a letter or digit, followed by letters, digits, '_', '.' or '-'`;
  }
  return undefined;
}

/** Why `name` cannot be an interface name, or undefined (the rules of libcni's ValidateInterfaceName). */
export function ifnameProblem(name: string): string | undefined {
  const shown = JSON.stringify(name);
  if (name === "") return "the interface name is empty";
  if (Buffer.byteLength(name, "utf8") > MAX_IFNAME_BYTES) {
    return `interface name ${shown} is longer than ${MAX_IFNAME_BYTES} bytes`;
  }
  if (name === "." || name === "..") return `interface name ${shown} is not allowed`;
  if (/[/:\s]/u.test(name)) return `interface name ${shown} contains '/', ':' or whitespace`;
  return undefined;
}

function encodeIfname(name: string): string {
  let out = "";
  for (const char of name) {
    if (PLAIN_CHAR_RE.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, "utf8"))
      out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

function invalidKey(problem: string): CodedError<"INVALID_ARGUMENT"> {
  return new CodedError("INVALID_ARGUMENT", `attachment cache key: ${problem}`);
}

/** The file name of an attachment's entry; throws INVALID_ARGUMENT for a key that cannot be one. */
export function cacheFileName(key: AttachmentKey): string {
  const problem = containerIdProblem(key.containerID) ?? ifnameProblem(key.ifname);
  if (problem !== undefined) throw invalidKey(problem);
  const name = `${key.containerID}${KEY_SEPARATOR}${encodeIfname(key.ifname)}`;
  if (Buffer.byteLength(name, "utf8") > MAX_FILE_NAME_BYTES) {
    throw invalidKey(`container ID ${JSON.stringify(key.containerID)} is too long for a file name`);
  }
  return name;
}

/** The key a cache file name stands for, or undefined when it is not one (e.g. a Multus file). */
export function parseCacheFileName(name: string): AttachmentKey | undefined {
  const at = name.indexOf(KEY_SEPARATOR);
  if (at <= 0) return undefined;
  const containerID = name.slice(0, at);
  let ifname: string;
  try {
    ifname = decodeURIComponent(name.slice(at + 1));
  } catch {
    return undefined;
  }
  const key = { containerID, ifname };
  try {
    // Only the canonical spelling is a cache file ("a@%65th0" is not "a@eth0").
    return cacheFileName(key) === name ? key : undefined;
  } catch {
    return undefined;
  }
}

export function sameAttachment(a: AttachmentKey, b: AttachmentKey): boolean {
  return a.containerID === b.containerID && a.ifname === b.ifname;
}
