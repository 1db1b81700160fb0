// Interface names for a pod's attachments, validated and checked for collisions before anything is
// attached.
//
// API:
//   checkInterfaceName(name)                  → undefined, or a phrase `interface name "x" must ...`
//   assignInterfaceNames(attachments, ifname) → SelectionResult<AssignedInterfaceName[]>
//
// Numbering is Multus's (getIfname, pkg/multus/multus.go). Attachments are in delegate order: index 0 is
// the pod's default network, then the configured defaultNetworks, then the annotation's networks.
//   1. A requested name (`@ifname`, JSON `interface`) wins, for the default network too.
//   2. Else the default network (index 0) takes the runtime's CNI_IFNAME (normally eth0).
//   3. Else `net<index>`: the position in the full list, so requested names do not shift the numbering
//      (`a@foo,b` gives foo, net2). The same NAD may appear several times; each gets its own name.
// Multus only notices a duplicate when the second delegate's ADD finds the link already present in the
// pod (after the first one was attached); netclaim refuses the whole set up front, naming both networks.
//
// Validity is the kernel's dev_valid_name (net/core/dev.c), applied to the UTF-8 bytes: refused when
// empty, IFNAMSIZ (16) bytes or longer, "." or "..", or containing '/', ':' or a byte the kernel's
// isspace() accepts — \t \n \v \f \r, space, and 0xA0 (lib/ctype.c marks byte 160 as a space, so a UTF-8
// name such as "netà" whose encoding contains 0xA0 is refused too). netclaim also refuses '%', because
// dev_get_valid_name treats such a name as a template ("net%d") and the device gets another name, and
// NUL, at which netlink would cut the name. Multus checks only length, whitespace and '/' (text form).
import { fail, succeed } from "./types.ts";
import type { SelectionResult } from "./types.ts";

export const IFNAMSIZ = 16;
export const DEFAULT_CNI_IFNAME = "eth0";

const KERNEL_SPACE_BYTES = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0]);
const encoder = new TextEncoder();

function nameProblem(name: string): string | undefined {
  if (name === "") return "must not be empty";
  const bytes = encoder.encode(name);
  if (bytes.length >= IFNAMSIZ) return `must be at most ${IFNAMSIZ - 1} bytes long (it has ${bytes.length})`;
  if (name === "." || name === "..") return 'must not be "." or ".."';
  if (name.includes("\0")) return "must not contain a NUL character";
  if (name.includes("/")) return 'must not contain "/"';
  if (name.includes(":")) return 'must not contain ":"';
  if (bytes.some((b) => KERNEL_SPACE_BYTES.has(b))) return "must not contain whitespace";
  if (name.includes("%")) return 'must not contain "%"';
  return undefined;
}

/** Why the kernel would refuse `name` as `interface name "..." must ...`, or undefined when it is valid. */
export function checkInterfaceName(name: string): string | undefined {
  const problem = nameProblem(name);
  return problem === undefined ? undefined : `interface name ${JSON.stringify(name)} ${problem}`;
}

export interface AttachmentNameRequest {
  /** How messages name the network: `namespace/name` for a NAD, the CNI config name otherwise. */
  readonly network: string;
  /** Requested interface name; absent or "" when none was requested. */
  readonly requested?: string;
}

export type InterfaceNameSource = "requested" | "cni-ifname" | "generated";

export interface AssignedInterfaceName {
  readonly name: string;
  readonly source: InterfaceNameSource;
}

function pick(request: AttachmentNameRequest, index: number, cniIfName: string): AssignedInterfaceName {
  if (request.requested !== undefined && request.requested !== "") {
    return { name: request.requested, source: "requested" };
  }
  if (index === 0) return { name: cniIfName, source: "cni-ifname" };
  return { name: `net${index}`, source: "generated" };
}

function describe(assigned: AssignedInterfaceName, request: AttachmentNameRequest, index: number): string {
  const who = `network ${JSON.stringify(request.network)} (attachment ${index})`;
  switch (assigned.source) {
    case "requested":
      return `requested by ${who}`;
    case "cni-ifname":
      return `given as CNI_IFNAME for ${who}`;
    case "generated":
      return `generated for ${who}`;
  }
}

/**
 * The interface name of every attachment (index 0 = the pod's default network), or the first problem:
 * an invalid name (INVALID_INTERFACE_NAME) or a name two attachments would share (INTERFACE_NAME_CONFLICT).
 */
export function assignInterfaceNames(
  attachments: readonly AttachmentNameRequest[],
  cniIfName: string = DEFAULT_CNI_IFNAME,
): SelectionResult<readonly AssignedInterfaceName[]> {
  const assigned: AssignedInterfaceName[] = [];
  const firstUse = new Map<string, number>();
  for (const [index, request] of attachments.entries()) {
    const choice = pick(request, index, cniIfName);
    const problem = checkInterfaceName(choice.name);
    if (problem !== undefined) {
      const where = choice.source === "cni-ifname" ? "CNI_IFNAME" : `attachment ${index}`;
      return fail(
        "INVALID_INTERFACE_NAME",
        `${where} (network ${JSON.stringify(request.network)}): ${problem}`,
      );
    }
    const earlier = firstUse.get(choice.name);
    if (earlier !== undefined) {
      const first = describe(
        assigned[earlier] as AssignedInterfaceName,
        attachments[earlier] as AttachmentNameRequest,
        earlier,
      );
      const second = describe(choice, request, index);
      return fail(
        "INTERFACE_NAME_CONFLICT",
        `interface name ${JSON.stringify(choice.name)} is used twice: ${first} and ${second}`,
      );
    }
    firstUse.set(choice.name, index);
    assigned.push(choice);
  }
  return succeed(assigned);
}
