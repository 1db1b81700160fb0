// One CDI spec per prepared claim: kind `<driver>/net`, one CDI device `<claimUID>-<device>` per allocated
// device, with the environment described in cdi-env.ts and, for a device bound to vfio-pci, its group's
// `/dev/vfio/<group>` and the VFIO container device `/dev/vfio/vfio` (type "c"; the runtime's CDI library
// fills in major/minor from the host device when it injects them). No spec-level edits.
// cdiVersion is the lowest that carries what the spec uses (cdi-version.ts); what we emit never needs
// more than 0.5.0, and rendering refuses anything that would (a runtime like podman 4.3 would reject it).
//
// Public API: `CdiClaimRef`, `CdiInputDevice`, `RenderCdiSpecInput`, `renderCdiSpec`, `VFIO_CONTAINER_DEVICE`.
import type { CdiDevice, CdiDeviceNode, CdiSpec } from "./cdi-types.ts";
import { deviceEnvPrefixes, deviceEnvValues, pciDeviceEnv } from "./cdi-env.ts";
import type { EnvDevice } from "./cdi-env.ts";
import { cdiDeviceName, cdiDeviceNameProblem, cdiKind, cdiVendorProblem } from "./cdi-names.ts";
import { compareCdiVersions, MAX_PORTABLE_CDI_VERSION, minimumCdiVersion } from "./cdi-version.ts";

export const VFIO_CONTAINER_DEVICE = "/dev/vfio/vfio";

export interface CdiClaimRef {
  uid: string;
  namespace: string;
  name: string;
}

export interface CdiInputDevice extends EnvDevice {
  /** The IOMMU group when the device is bound to vfio-pci; absent otherwise. */
  vfioGroup?: string | undefined;
}

export interface RenderCdiSpecInput {
  /** The DRA driver name; the CDI vendor. */
  driver: string;
  claim: CdiClaimRef;
  /** In allocation order. */
  devices: readonly CdiInputDevice[];
}

function claimLabel(claim: CdiClaimRef): string {
  return `claim ${claim.namespace}/${claim.name} (${claim.uid})`;
}

function vfioNodes(group: string): CdiDeviceNode[] {
  return [
    { path: `/dev/vfio/${group}`, type: "c" },
    { path: VFIO_CONTAINER_DEVICE, type: "c" },
  ];
}

function checkNames(input: RenderCdiSpecInput, names: readonly string[]): void {
  const vendorProblem = cdiVendorProblem(input.driver);
  if (vendorProblem !== undefined)
    throw new Error(`CDI spec for ${claimLabel(input.claim)}: ${vendorProblem}`);
  const seen = new Set<string>();
  for (const name of names) {
    const problem = cdiDeviceNameProblem(name);
    if (problem !== undefined) throw new Error(`CDI spec for ${claimLabel(input.claim)}: ${problem}`);
    if (seen.has(name)) throw new Error(`CDI spec for ${claimLabel(input.claim)}: device ${name} twice`);
    seen.add(name);
  }
}

function checkPrefixes(input: RenderCdiSpecInput, prefixes: readonly string[][]): void {
  const owner = new Map<string, number>();
  prefixes.forEach((list, index) => {
    for (const prefix of list) {
      const other = owner.get(prefix);
      if (other !== undefined && other !== index) {
        throw new Error(
          `CDI spec for ${claimLabel(input.claim)}: devices ${input.devices[other]?.deviceName} and ` +
            `${input.devices[index]?.deviceName} would both set ${prefix}_*; rename a request`,
        );
      }
      owner.set(prefix, index);
    }
  });
}

/** The claim's CDI spec. Throws when names are invalid or collide. */
export function renderCdiSpec(input: RenderCdiSpecInput): CdiSpec {
  if (input.devices.length === 0) throw new Error(`CDI spec for ${claimLabel(input.claim)}: no devices`);
  const names = input.devices.map((d) => cdiDeviceName(input.claim.uid, d.deviceName));
  checkNames(input, names);
  const prefixes = deviceEnvPrefixes(input.devices);
  checkPrefixes(input, prefixes);
  const pciEnv = pciDeviceEnv(input.driver, input.devices);
  const devices = input.devices.map((device, index): CdiDevice => {
    const values = Object.entries(deviceEnvValues(device, input.claim));
    const env = (prefixes[index] ?? []).flatMap((prefix) =>
      values.map(([field, v]) => `${prefix}_${field}=${v}`),
    );
    const pci = device.resourceName === undefined ? undefined : pciEnv.get(device.resourceName);
    if (pci !== undefined && device.pciAddress !== undefined) env.push(pci);
    const containerEdits: CdiDevice["containerEdits"] = { env };
    if (device.vfioGroup !== undefined) containerEdits.deviceNodes = vfioNodes(device.vfioGroup);
    return { name: names[index] ?? "", containerEdits };
  });
  const spec: CdiSpec = { cdiVersion: "", kind: cdiKind(input.driver), devices };
  spec.cdiVersion = minimumCdiVersion(spec);
  if (compareCdiVersions(spec.cdiVersion, MAX_PORTABLE_CDI_VERSION) > 0) {
    throw new Error(
      `CDI spec for ${claimLabel(input.claim)} needs cdiVersion ${spec.cdiVersion}, above ${MAX_PORTABLE_CDI_VERSION}`,
    );
  }
  return spec;
}
