// One list of the pod's devices out of what several sources saw. Pure.
// The same device (same claim, driver, pool, device and share ID; for device-plugin devices the same
// resource and device ID) is listed once, where it was first seen; a field the earlier sources left empty
// is filled from the later ones (the checkpoint knows the host netdev and the CDI IDs, the API the
// DeviceClass, the attributes and the controller's addresses when the checkpoint has none, PodResources the
// CDI IDs of container claims), and every source that saw it is listed in `sources`.
//
// Public API: `candidateKey`, `mergeCandidates`.
import type { CandidateDevice } from "./types.ts";

export function candidateKey(device: CandidateDevice): string {
  if (device.origin === "device-plugin") return `dp\0${device.resourceNameAttr ?? ""}\0${device.device}`;
  return [
    "claim",
    device.claimNamespace,
    device.claimName,
    device.driver,
    device.pool,
    device.device,
    device.shareID ?? "",
  ].join("\0");
}

const OPTIONAL_FIELDS = [
  "podClaimName",
  "className",
  "shareID",
  "resourceNameAttr",
  "deviceIDAttr",
  "pciAddress",
  "pfPciAddress",
  "ifName",
  "rdmaDevice",
  "ipPool",
] as const;

function filled(into: CandidateDevice, from: CandidateDevice): CandidateDevice {
  const out: CandidateDevice = {
    ...into,
    sources: [...into.sources, ...from.sources.filter((s) => !into.sources.includes(s))],
    requestNames: into.requestNames.length > 0 ? into.requestNames : [...from.requestNames],
    cdiDeviceIds: into.cdiDeviceIds.length > 0 ? into.cdiDeviceIds : [...from.cdiDeviceIds],
    kind: into.kind === "unknown" ? from.kind : into.kind,
  };
  const ips = (into.allocatedIps?.length ?? 0) > 0 ? into.allocatedIps : from.allocatedIps;
  if (ips !== undefined && ips.length > 0) out.allocatedIps = [...ips];
  for (const field of OPTIONAL_FIELDS) {
    const value = from[field];
    if ((out[field] === undefined || out[field] === "") && value !== undefined && value !== "") {
      out[field] = value;
    }
  }
  return out;
}

/** `known` with `found` merged in (see the header); neither is changed. */
export function mergeCandidates(
  known: readonly CandidateDevice[],
  found: readonly CandidateDevice[],
): CandidateDevice[] {
  const out = known.map((d) => ({ ...d }));
  const index = new Map(out.map((d, i) => [candidateKey(d), i]));
  for (const device of found) {
    const key = candidateKey(device);
    const at = index.get(key);
    if (at === undefined) {
      index.set(key, out.length);
      out.push({ ...device });
    } else {
      out[at] = filled(out[at] as CandidateDevice, device);
    }
  }
  return out;
}
