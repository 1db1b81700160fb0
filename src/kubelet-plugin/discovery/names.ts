// Device names in the ResourceSlice: DNS labels (≤ 63 characters, [a-z0-9-], alphanumeric at both ends),
// unique in the node's pool and stable across rescans and restarts:
// - a PCI function (SR-IOV VF; a netdev that is the only netdev of its PCI function): its normalised
//   PCI address, `pci-0000-03-02-1` — dranet's rule (the SR-IOV DRA driver uses the same without "pci-").
// - a subfunction: its PF's address and its sfnum, `sf-0000-06-00-0-88` (the sfnum is chosen by the
//   admin and stays; the auxiliary index mlx5_core.sf.N can change when SFs are re-created).
// - any other netdev: the interface name when it is a DNS label that cannot be mistaken for the names
//   above (no "pci-", "sf-" or "net-" start), else `net-` + the name in lowercase base32 (dranet's
//   fallback): `Veth_X` → `net-kzsxi2c7la`.
//
// Public API: `pciDeviceName`, `subfunctionDeviceName`, `netdevDeviceName`, `isDnsLabel`.

const DNS_LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_LABEL_MAX_LENGTH = 63;
const RESERVED_PREFIXES = ["pci-", "sf-", "net-"] as const;
const BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

export function isDnsLabel(name: string): boolean {
  return name.length <= DNS_LABEL_MAX_LENGTH && DNS_LABEL_RE.test(name);
}

function normalizedAddress(pciAddress: string): string {
  return pciAddress.toLowerCase().replace(/[:.]/g, "-");
}

export function pciDeviceName(pciAddress: string): string {
  return `pci-${normalizedAddress(pciAddress)}`;
}

export function subfunctionDeviceName(pfPciAddress: string, sfNum: number): string {
  return `sf-${normalizedAddress(pfPciAddress)}-${sfNum}`;
}

/** RFC 4648 base32, lowercase, no padding. */
function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff; // only the unread bits (< 13) matter
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export function netdevDeviceName(ifName: string): string {
  if (isDnsLabel(ifName) && !RESERVED_PREFIXES.some((p) => ifName.startsWith(p))) return ifName;
  return `net-${base32(new TextEncoder().encode(ifName))}`;
}
