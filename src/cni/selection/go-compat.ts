// What Multus accepts is decided by Go's standard library, so these primitives reproduce the parts of it
// that the annotation syntax depends on. Written from the Go documentation and behaviour, not its code:
//
// - `goTrimSpace`: strings.TrimSpace (unicode.IsSpace: the ASCII spaces, U+0085, U+00A0 and the other
//   Unicode White_Space characters; unlike String.prototype.trim it keeps U+FEFF and trims U+0085).
// - `decodeGoFields`: how encoding/json maps object keys onto struct fields: an exact key match, else a
//   case-insensitive one (Go folds each rune with ToUpper(ToLower(r)), simple case mapping), later keys
//   overwriting earlier ones, unknown keys ignored. So `{"Name": "a"}` selects NAD `a` in Multus too.
// - `parseGoMac`: net.ParseMAC: 6-, 8- or 20-byte addresses as `aa:bb:..`, `aa-bb-..` or `aabb.ccdd...`.
// - `parseGoIp` / `parseGoCidr`: net.ParseIP / net.ParseCIDR: dotted-quad IPv4 without leading zeros,
//   IPv6 without a zone, at most 4 hex digits a group; ipaddr.js checks the IPv6 structure.
// - `goIpString`: net.IP.String(): IPv4 and IPv4-mapped IPv6 print dotted, other IPv6 per RFC 5952.
import ipaddr from "ipaddr.js";

const GO_SPACE_CODES = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005,
  0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

export function isGoSpace(code: number): boolean {
  return GO_SPACE_CODES.has(code);
}

/** strings.TrimSpace. Every Go space is in the BMP, so UTF-16 code units suffice. */
export function goTrimSpace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isGoSpace(s.charCodeAt(start))) start++;
  while (end > start && isGoSpace(s.charCodeAt(end - 1))) end--;
  return s.slice(start, end);
}

function foldRune(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  if (code < 0x80) return ch.toUpperCase();
  // U+0130 (capital I with dot) lowers to "i" under Go's simple mapping; JS's full mapping adds U+0307.
  if (code === 0x130) return "I";
  const lower = ch.toLowerCase();
  const single = [...lower].length === 1 ? lower : ch;
  const upper = single.toUpperCase();
  return [...upper].length === 1 ? upper : single;
}

/** The key under which encoding/json compares field names case-insensitively. */
export function goFoldName(name: string): string {
  let out = "";
  for (const ch of name) out += foldRune(ch);
  return out;
}

/**
 * The values of `obj` for each of `fields` (the struct's JSON names), matched as encoding/json does.
 * Fields without a matching key are absent from the map.
 */
export function decodeGoFields(
  obj: Readonly<Record<string, unknown>>,
  fields: readonly string[],
): Map<string, unknown> {
  const exact = new Set(fields);
  const byFold = new Map(fields.map((f) => [goFoldName(f), f]));
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) {
    const field = exact.has(key) ? key : byFold.get(goFoldName(key));
    if (field !== undefined) out.set(field, value);
  }
  return out;
}

function hexByte(s: string, at: number): number | undefined {
  const pair = s.slice(at, at + 2);
  return /^[0-9a-fA-F]{2}$/.test(pair) ? Number.parseInt(pair, 16) : undefined;
}

function macLength(groups: number): boolean {
  return groups === 6 || groups === 8 || groups === 20;
}

function parseSeparatedMac(s: string, sep: string): number[] | undefined {
  if ((s.length + 1) % 3 !== 0 || !macLength((s.length + 1) / 3)) return undefined;
  const bytes: number[] = [];
  for (let at = 0; at < s.length; at += 3) {
    const b = hexByte(s, at);
    if (b === undefined || (at + 2 < s.length && s[at + 2] !== sep)) return undefined;
    bytes.push(b);
  }
  return bytes;
}

function parseDottedMac(s: string): number[] | undefined {
  if ((s.length + 1) % 5 !== 0 || !macLength((2 * (s.length + 1)) / 5)) return undefined;
  const bytes: number[] = [];
  for (let at = 0; at < s.length; at += 5) {
    const hi = hexByte(s, at);
    const lo = hexByte(s, at + 2);
    if (hi === undefined || lo === undefined || (at + 4 < s.length && s[at + 4] !== ".")) return undefined;
    bytes.push(hi, lo);
  }
  return bytes;
}

/** net.ParseMAC: the address bytes, or undefined when Go would refuse the text. */
export function parseGoMac(s: string): number[] | undefined {
  if (s.length < 14) return undefined;
  if (s[2] === ":" || s[2] === "-") return parseSeparatedMac(s, s[2]);
  if (s[4] === ".") return parseDottedMac(s);
  return undefined;
}

const IPV4_DOTTED = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

function isGoIpv4(s: string): boolean {
  const m = IPV4_DOTTED.exec(s);
  return m !== null && m.slice(1).every((octet) => Number(octet) <= 255);
}

function isGoIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(":")) return false;
  let groups = s;
  if (s.includes(".")) {
    const lastColon = s.lastIndexOf(":");
    if (!isGoIpv4(s.slice(lastColon + 1))) return false;
    groups = s.slice(0, lastColon);
  }
  return groups.split(":").every((g) => g.length <= 4) && ipaddr.IPv6.isValid(s);
}

export type GoIp = ipaddr.IPv4 | ipaddr.IPv6;

/** net.ParseIP. */
export function parseGoIp(s: string): GoIp | undefined {
  if (isGoIpv4(s)) return ipaddr.IPv4.parse(s);
  if (isGoIpv6(s)) return ipaddr.IPv6.parse(s);
  return undefined;
}

/** net.ParseCIDR: the address and prefix length; the prefix may have leading zeros, as Go allows. */
export function parseGoCidr(s: string): { ip: GoIp; prefixLength: number } | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseGoIp(s.slice(0, slash));
  const mask = s.slice(slash + 1);
  if (ip === undefined || !/^\d+$/.test(mask)) return undefined;
  const prefixLength = Number(mask);
  return prefixLength <= (ip.kind() === "ipv4" ? 32 : 128) ? { ip, prefixLength } : undefined;
}

/** Multus's rule for requested `ips`: with a "/" it must be a CIDR, without one an address. */
export function isGoIpOrCidr(s: string): boolean {
  return s.includes("/") ? parseGoCidr(s) !== undefined : parseGoIp(s) !== undefined;
}

/** net.IP.To4() != nil: IPv4, or IPv6 that maps an IPv4 address. */
export function goIpFamily(ip: GoIp): 4 | 6 {
  if (ip.kind() === "ipv4") return 4;
  return (ip as ipaddr.IPv6).isIPv4MappedAddress() ? 4 : 6;
}

/** net.IP.String(). */
export function goIpString(ip: GoIp): string {
  if (ip.kind() === "ipv4") return ip.toString();
  const v6 = ip as ipaddr.IPv6;
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address().toString() : v6.toRFC5952String();
}
