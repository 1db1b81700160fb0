// IP addresses as numbers, and the per-address object of the controller's IPAM.
//
// Addresses: an IPv4 or IPv6 address is a `bigint` plus its family, so pools of any size are arithmetic,
// never lists. Text forms are strict: IPv4 four-part decimal ("10.0.0.1", no leading zeros), IPv6 without
// a zone and not IPv4-mapped ("::ffff:10.0.0.1" is refused: write the IPv4 form). Output is canonical:
// dotted decimal, RFC 5952 for IPv6 ("fd00:10::a") — the form Kubernetes validation wants in
// `status.devices[].networkData.ips`. A CIDR here is a network ("10.0.0.0/24", no host bits set); an
// interface address keeps its host bits ("10.0.0.5/24", `interfaceAddress`).
//
// IPAllocation (netclaim.dev/v1alpha1, cluster-scoped): one object per allocated address, named
// deterministically from the pool and the address (`allocationName`), so that creating it is the lock —
// a create answered AlreadyExists means someone else holds the address. Names: "<pool>-v4-10-10-0-10",
// "<pool>-v6-fd00-10-0-0-0-0-0-a" (every IPv6 group, lower-case hex): the family marker and the fixed
// group count make the name injective even though pool names may contain "-". Labels
// `netclaim.dev/claim-uid` and `netclaim.dev/claim-namespace` let the controller list a claim's objects.
//
// Public API: `IP_FAMILIES`, `IpFamily`, `FAMILY_BITS`, `IpValue`, `IpNetwork`, `parseIp`, `formatIp`,
// `parseCidr`, `formatCidr`, `interfaceAddress`, `parseInterfaceAddress`, `lastAddress`, `inNetwork`,
// `IP_ALLOCATION_API_VERSION`, `IP_ALLOCATION_KIND`, `CLAIM_UID_LABEL`, `CLAIM_NAMESPACE_LABEL`,
// `MAX_POOL_NAME_FOR_ALLOCATIONS`, `allocationName`, `ipAllocationSpecSchema`, `ipAllocationSchema`, `IPAllocation`,
// `IPAllocationSpec`, `parseIpAllocation`.
import ipaddr from "ipaddr.js";
import { z } from "zod";

export const IP_FAMILIES = ["IPv4", "IPv6"] as const;
export type IpFamily = (typeof IP_FAMILIES)[number];
export const FAMILY_BITS: Record<IpFamily, number> = { IPv4: 32, IPv6: 128 };

export interface IpValue {
  family: IpFamily;
  value: bigint;
}

/** A network: its first address and prefix length. */
export interface IpNetwork extends IpValue {
  prefix: number;
}

function bytesToBigInt(bytes: readonly number[]): bigint {
  let out = 0n;
  for (const b of bytes) out = (out << 8n) | BigInt(b);
  return out;
}

/** The address, or undefined when `text` is not a strict IPv4/IPv6 address. */
export function parseIp(text: string): IpValue | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    if (text.split(".").some((part) => part.length > 1 && part.startsWith("0"))) return undefined;
    return { family: "IPv4", value: bytesToBigInt(ipaddr.IPv4.parse(text).toByteArray()) };
  }
  if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  if (v6.isIPv4MappedAddress()) return undefined;
  return { family: "IPv6", value: bytesToBigInt(v6.toByteArray()) };
}

function toBytes(value: bigint, count: number): number[] {
  const bytes = new Array<number>(count);
  for (let i = count - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}

/** Canonical text: dotted decimal, or RFC 5952 (lower-case, longest zero run compressed). */
export function formatIp(ip: IpValue): string {
  if (ip.family === "IPv4") return toBytes(ip.value, 4).join(".");
  return (ipaddr.fromByteArray(toBytes(ip.value, 16)) as ipaddr.IPv6).toRFC5952String();
}

/** All IPv6 groups, lower-case hex without padding: "fd00:10:0:0:0:0:0:a". */
function fullIpv6(value: bigint): string {
  return (ipaddr.fromByteArray(toBytes(value, 16)) as ipaddr.IPv6).toNormalizedString();
}

function hostMask(family: IpFamily, prefix: number): bigint {
  return (1n << BigInt(FAMILY_BITS[family] - prefix)) - 1n;
}

/** The last address of a network (its broadcast address for IPv4). */
export function lastAddress(net: IpNetwork): bigint {
  return net.value | hostMask(net.family, net.prefix);
}

export function inNetwork(net: IpNetwork, ip: IpValue): boolean {
  return ip.family === net.family && ip.value >= net.value && ip.value <= lastAddress(net);
}

function splitPrefix(text: string, allowHostBits: boolean): { ip: IpValue; prefix: number } | string {
  const slash = text.indexOf("/");
  if (slash < 0) return `${JSON.stringify(text)} is not in CIDR form (address/prefix)`;
  const ip = parseIp(text.slice(0, slash));
  if (ip === undefined)
    return `${JSON.stringify(text)}: ${JSON.stringify(text.slice(0, slash))} is not an IP address`;
  const prefixText = text.slice(slash + 1);
  const prefix = /^(0|[1-9][0-9]{0,2})$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix <= FAMILY_BITS[ip.family])) {
    return `${JSON.stringify(text)}: prefix length must be 0 to ${FAMILY_BITS[ip.family]}`;
  }
  if (!allowHostBits && (ip.value & hostMask(ip.family, prefix)) !== 0n) {
    const net = formatCidr({ ...ip, value: ip.value & ~hostMask(ip.family, prefix), prefix });
    return `${JSON.stringify(text)} has host bits set (the network is ${net})`;
  }
  return { ip, prefix };
}

/** A network in CIDR form, or a problem naming the text. Host bits must be zero. */
export function parseCidr(text: string): IpNetwork | string {
  const parsed = splitPrefix(text, false);
  return typeof parsed === "string" ? parsed : { ...parsed.ip, prefix: parsed.prefix };
}

export function formatCidr(net: IpNetwork): string {
  return `${formatIp(net)}/${net.prefix}`;
}

/** An interface address with its network's prefix length: "10.0.0.5/24". */
export function interfaceAddress(ip: IpValue, prefix: number): string {
  return `${formatIp(ip)}/${prefix}`;
}

/** "10.0.0.5/24" → the address and prefix (host bits allowed), or a problem. */
export function parseInterfaceAddress(text: string): { ip: IpValue; prefix: number } | string {
  return splitPrefix(text, true);
}

// ---------------------------------------------------------------------------------------------------
// IPAllocation

export const IP_ALLOCATION_API_VERSION = "netclaim.dev/v1alpha1";
export const IP_ALLOCATION_KIND = "IPAllocation";
export const CLAIM_UID_LABEL = "netclaim.dev/claim-uid";
export const CLAIM_NAMESPACE_LABEL = "netclaim.dev/claim-namespace";
/** Object names are at most 253 characters; the longest address suffix ("-v6-" + 8 groups) is 43. */
export const MAX_POOL_NAME_FOR_ALLOCATIONS = 253 - 43;

/** The IPAllocation object name of `ip` in `pool`. */
export function allocationName(pool: string, ip: IpValue): string {
  if (ip.family === "IPv4") return `${pool}-v4-${formatIp(ip).replaceAll(".", "-")}`;
  return `${pool}-v6-${fullIpv6(ip.value).replaceAll(":", "-")}`;
}

const nonEmpty = z.string().min(1);

const interfaceAddressString = z.string().superRefine((text, ctx) => {
  const parsed = parseInterfaceAddress(text);
  if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
  else if (interfaceAddress(parsed.ip, parsed.prefix) !== text) {
    const canonical = interfaceAddress(parsed.ip, parsed.prefix);
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(text)} is not canonical (${canonical})` });
  }
});

export const ipAllocationSpecSchema = z.object({
  /** The IPPool's name. */
  pool: nonEmpty,
  /** The address with the prefix length of its pool CIDR, canonical: "10.10.0.10/24". */
  address: interfaceAddressString,
  claim: z.object({ namespace: nonEmpty, name: nonEmpty, uid: nonEmpty }),
  /** The allocated device (status.allocation.devices.results[]): the ResourceSlice pool, not the IPPool. */
  device: z.object({ driver: nonEmpty, pool: nonEmpty, device: nonEmpty, shareID: nonEmpty.optional() }),
  /** The claim request the device was allocated for (informational). */
  request: nonEmpty.optional(),
});

export type IPAllocationSpec = z.infer<typeof ipAllocationSpecSchema>;

export const ipAllocationSchema = z.object({
  apiVersion: z.literal(IP_ALLOCATION_API_VERSION),
  kind: z.literal(IP_ALLOCATION_KIND),
  metadata: z.looseObject({
    name: nonEmpty,
    uid: z.string().optional(),
    resourceVersion: z.string().optional(),
    creationTimestamp: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: ipAllocationSpecSchema,
});

export type IPAllocation = z.infer<typeof ipAllocationSchema>;

/** An IPAllocation read from the API server, validated (its name must match its pool and address). */
export function parseIpAllocation(
  raw: unknown,
): { ok: true; allocation: IPAllocation } | { ok: false; problem: string } {
  const parsed = ipAllocationSchema.safeParse(raw);
  if (!parsed.success) {
    const problem = parsed.error.issues
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    return { ok: false, problem };
  }
  const allocation = parsed.data;
  const address = parseInterfaceAddress(allocation.spec.address);
  if (typeof address !== "string") {
    const want = allocationName(allocation.spec.pool, address.ip);
    if (want !== allocation.metadata.name) {
      return {
        ok: false,
        problem: `name ${allocation.metadata.name} does not match pool and address (want ${want})`,
      };
    }
  }
  return { ok: true, allocation };
}
