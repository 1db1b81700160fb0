// IP address and CIDR checks for CNI results, as strict as Go's net.ParseIP / net.ParseCIDR that libcni
// uses: IPv4 only in dotted-quad form, IPv6 without a zone, prefix lengths 0-32 / 0-128. An IPv4-mapped
// IPv6 address counts as IPv4, like Go's `To4() != nil` (which decides `ips[].version`).
//
// Public API: `IpFamily`, `ipFamily`, `cidrFamily`.
import ipaddr from "ipaddr.js";

export type IpFamily = 4 | 6;

const PREFIX_RE = /^\d{1,3}$/;

/** 4 or 6 for a valid address, undefined otherwise. */
export function ipFamily(text: string): IpFamily | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return 4;
  if (text.includes("%") || !ipaddr.IPv6.isValid(text)) return undefined;
  return ipaddr.IPv6.parse(text).isIPv4MappedAddress() ? 4 : 6;
}

/** The family of "address/prefix" (the address need not be the network address), or undefined. */
export function cidrFamily(text: string): IpFamily | undefined {
  const slash = text.lastIndexOf("/");
  if (slash < 0) return undefined;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!PREFIX_RE.test(prefix)) return undefined;
  const family = ipFamily(address);
  if (family === undefined) return undefined;
  const isV6Text = address.includes(":");
  const maxPrefix = isV6Text ? 128 : 32;
  return Number(prefix) <= maxPrefix ? family : undefined;
}
