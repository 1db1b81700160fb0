// Selector values of the devices config, parsed the way the SR-IOV network device plugin reads its
// resourceList (k8snetworkplumbingwg/sriov-network-device-plugin pkg/resources/deviceSelectors.go):
// - pfNames / rootDevices entries: `<PF name or PCI address>[#<VF indexes>]`, the name part matched
//   exactly (case-insensitive) or as a regular expression, the index part a comma-separated list of
//   `n` and `first-last` (both ends included): `ens1f0#0-3,6`. Differences from the plugin, on purpose:
//   the regular expression must match the WHOLE name (the plugin's is unanchored, so `ens1f0` also picks
//   `ens1f01`), and a malformed entry is a config error at load instead of a silently empty pool.
// - vendors / devices: 4 hex digits, "0x" optional, case-insensitive (sysfs writes "0x8086").
// - linkTypes: netlink's encapsulation names ("ether", "infiniband", ...); "eth"/"ethernet" and "ib" are
//   accepted as the SR-IOV DRA driver spells them.
// - ifNames: regular expressions matching the whole interface name.
//
// Public API: `PCI_ADDRESS_RE`, `VfRange`, `PfSelector`, `parsePfSelector`, `fullMatchRegExp`,
// `normalizeHexId`, `normalizeLinkType`, `normalizePciAddress`, `nameMatches`, `inVfRanges`.

export const PCI_ADDRESS_RE = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const HEX_ID_RE = /^(?:0x)?([0-9a-f]{4})$/;
const INDEX_RE = /^\d+$/;
const MAX_VF_INDEX = 65535; // sriov_totalvfs is a 16-bit field

export interface VfRange {
  first: number;
  last: number;
}

export interface PfSelector {
  /** The entry as written. */
  entry: string;
  /** The PF name (or PCI address) part: an exact name or a regular expression. */
  pattern: string;
  /** VF indexes after `#`; undefined = every VF. */
  vfRanges?: VfRange[];
}

const compiled = new Map<string, RegExp | string>();
const MAX_CACHED_PATTERNS = 1024;

/** `^(?:pattern)$`, or the reason it does not compile (memoised: matching runs per device). */
export function fullMatchRegExp(pattern: string): RegExp | string {
  let result = compiled.get(pattern);
  if (result !== undefined) return result;
  try {
    result = new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    result = `invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`;
  }
  if (compiled.size >= MAX_CACHED_PATTERNS) compiled.clear();
  compiled.set(pattern, result);
  return result;
}

function parseIndex(text: string, entry: string): number | string {
  if (!INDEX_RE.test(text)) return `VF index "${text}" in "${entry}" is not a number`;
  const n = Number(text);
  return n > MAX_VF_INDEX ? `VF index ${n} in "${entry}" is above ${MAX_VF_INDEX}` : n;
}

function parseVfRanges(text: string, entry: string): VfRange[] | string {
  const ranges: VfRange[] = [];
  for (const item of text.split(",")) {
    const bounds = item.trim().split("-");
    if (bounds.length > 2) return `VF range "${item}" in "${entry}" has more than one "-"`;
    const first = parseIndex(bounds[0]!.trim(), entry);
    if (typeof first === "string") return first;
    const last = bounds.length === 2 ? parseIndex(bounds[1]!.trim(), entry) : first;
    if (typeof last === "string") return last;
    if (last < first) return `VF range "${item}" in "${entry}" ends before it starts`;
    ranges.push({ first, last });
  }
  return ranges;
}

/** Parses a pfNames / rootDevices entry, or returns why it is malformed. */
export function parsePfSelector(entry: string): PfSelector | string {
  const parts = entry.split("#");
  if (parts.length > 2) return `"${entry}" has more than one "#"`;
  const pattern = parts[0]!.trim();
  if (pattern === "") return `"${entry}" has no name before "#"`;
  const compiled = fullMatchRegExp(pattern);
  if (typeof compiled === "string") return compiled;
  if (parts.length === 1) return { entry, pattern };
  const vfRanges = parseVfRanges(parts[1]!, entry);
  return typeof vfRanges === "string" ? vfRanges : { entry, pattern, vfRanges };
}

/** Exact (case-insensitive) or whole-name regular-expression match, as the device plugin's getItem. */
export function nameMatches(pattern: string, name: string): boolean {
  if (pattern.toLowerCase() === name.toLowerCase()) return true;
  const re = fullMatchRegExp(pattern);
  return typeof re !== "string" && re.test(name);
}

export function inVfRanges(ranges: readonly VfRange[] | undefined, vfIndex: number | null): boolean {
  if (ranges === undefined) return true;
  if (vfIndex === null) return false;
  return ranges.some((r) => vfIndex >= r.first && vfIndex <= r.last);
}

/** "0x8086" / "8086" / "8086" in any case → "8086"; undefined when not 4 hex digits. */
export function normalizeHexId(value: string): string | undefined {
  return HEX_ID_RE.exec(value.trim().toLowerCase())?.[1];
}

const LINK_TYPE_ALIASES: Readonly<Record<string, string>> = {
  eth: "ether",
  ethernet: "ether",
  ib: "infiniband",
};

export function normalizeLinkType(value: string): string {
  const lower = value.trim().toLowerCase();
  return LINK_TYPE_ALIASES[lower] ?? lower;
}

/** "0000:03:02.0" in any case → lowercase; undefined when not a full DDDD:BB:DD.F address. */
export function normalizePciAddress(value: string): string | undefined {
  const lower = value.trim().toLowerCase();
  return PCI_ADDRESS_RE.test(lower) ? lower : undefined;
}
