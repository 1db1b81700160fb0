// Rebuilding a corrupt checkpoint — pure: our CDI spec files, the claims the API server has, and
// (optionally) this node's devices in; a checkpoint, the specs to delete and to rewrite, and warnings out.
//
// A spec file exists once a claim's devices were set up, so each spec whose claim still exists
// (same UID), is allocated and has results for our driver becomes a "prepared" entry, marked `rebuilt`:
//   devices   the claim's allocation results for our driver, grouped as Prepare groups them;
//   facts     from the spec's environment (cdi-env.ts: kind, PCI address, netdev, VFIO group, resource),
//             else from the node's devices;
//   config    re-resolved from the claim's allocation config (a bad one: a warning and {});
//   pods      from status.reservedFor.
// What a spec cannot tell is the driver a device had before a rebind: a rebuilt device has no `rebind`,
// so Unprepare leaves it on its current driver (a warning says so for vfio-pci devices).
// A spec whose claim is gone, re-created (another UID) or no longer allocated to us is an orphan; a
// corrupt spec (or one missing a device) of a live claim is rebuilt from the claim and listed for
// rewriting.
// The claims can come from a cluster-wide list, or — with only `get` on ResourceClaims — from a GET
// of each claim that `claimOfCdiSpec` (cdi-env.ts) reads from its spec's environment.
//
// Public API: `RebuildSpec`, `RebuildInput`, `RebuildResult`, `rebuildCheckpoint`.
import type {
  Checkpoint,
  DeviceKind,
  PreparedClaimEntry,
  PreparedDeviceRecord,
} from "../../api/checkpoint.ts";
import { DEVICE_KINDS } from "../../api/checkpoint.ts";
import { configForRequests, parseClaimDeviceConfigs } from "../../api/network-device-config.ts";
import type { NetworkDeviceConfig, ParsedConfigEntry } from "../../api/network-device-config.ts";
import { deviceEnvPrefixes, readDeviceEnv } from "../cdi/cdi-env.ts";
import type { DeviceEnvField } from "../cdi/cdi-env.ts";
import { cdiDeviceId, cdiDeviceName } from "../cdi/cdi-names.ts";
import type { CdiSpec } from "../cdi/cdi-types.ts";
import { groupAllocationResults, podUIDsOf } from "../prepare/plan.ts";
import type { DeviceAllocation } from "../prepare/plan-device.ts";
import { deviceKey, resourceNameOf } from "../prepare/plan-types.ts";
import type { NodeDevice, ResourceClaim } from "../prepare/plan-types.ts";

export interface RebuildSpec {
  claimUID: string;
  path: string;
  /** Undefined for a spec file that did not parse. */
  spec?: CdiSpec | undefined;
}

export interface RebuildInput {
  driverName: string;
  cdiSpecs: readonly RebuildSpec[];
  /** Claims from the API server (those of this node's pods, or all). */
  claims: readonly ResourceClaim[];
  nodeDevices?: ReadonlyMap<string, NodeDevice>;
  now: Date;
}

export interface RebuildResult {
  checkpoint: Checkpoint;
  orphanedSpecs: { claimUID: string; path: string; reason: string }[];
  /** Claim UIDs whose spec must be rendered again from the rebuilt entry. */
  specsToRewrite: string[];
  warnings: string[];
}

type EnvFacts = Partial<Record<DeviceEnvField, string>>;

function envFacts(spec: CdiSpec | undefined, name: string, prefixes: readonly string[]): EnvFacts {
  const env = spec?.devices.find((d) => d.name === name)?.containerEdits.env ?? [];
  return Object.assign({}, ...prefixes.map((p) => readDeviceEnv(env, p))) as EnvFacts;
}

function kindOf(facts: EnvFacts, device: NodeDevice | undefined, pciAddress: string | undefined): DeviceKind {
  const fromEnv = DEVICE_KINDS.find((k) => k === facts.KIND);
  return fromEnv ?? device?.kind ?? (pciAddress === undefined ? "netdev" : "sriov-vf");
}

function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

interface RecordInput {
  driverName: string;
  claimUID: string;
  allocation: DeviceAllocation;
  facts: EnvFacts;
  device: NodeDevice | undefined;
  config: NetworkDeviceConfig;
}

function rebuiltRecord(input: RecordInput): PreparedDeviceRecord {
  const { allocation: a, facts, device } = input;
  const pciAddress = facts.PCI_ADDRESS ?? device?.pciAddress;
  const vfio = facts.VFIO_DEVICE?.replace(/^\/dev\/vfio\//, "");
  return defined({
    requestNames: a.requestNames,
    poolName: a.poolName,
    deviceName: a.deviceName,
    shareID: a.shareID,
    kind: kindOf(facts, device, pciAddress),
    pciAddress,
    ifName: facts.IFNAME,
    pfName: device?.pfName,
    vfIndex: device?.vfIndex,
    vfioGroup: vfio,
    resourceName: facts.RESOURCE_NAME ?? (device === undefined ? undefined : resourceNameOf(device)),
    cdiDeviceIDs: [cdiDeviceId(input.driverName, input.claimUID, a.deviceName)],
    config: input.config,
  });
}

function claimConfigs(claim: ResourceClaim, driverName: string, warnings: string[]): ParsedConfigEntry[] {
  const parsed = parseClaimDeviceConfigs(claim, driverName);
  if (parsed.ok) return parsed.entries;
  warnings.push(`${parsed.error.message}; rebuilt with no config`);
  return [];
}

interface EntryOutcome {
  entry: PreparedClaimEntry;
  rewrite: boolean;
}

interface EntryInput {
  input: RebuildInput;
  spec: RebuildSpec;
  claim: ResourceClaim;
  allocations: DeviceAllocation[];
  warnings: string[];
}

function rebuildEntry({ input, spec, claim, allocations, warnings }: EntryInput): EntryOutcome {
  const uid = spec.claimUID;
  const label = `claim ${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""} (${uid})`;
  const configs = claimConfigs(claim, input.driverName, warnings);
  const prefixes = deviceEnvPrefixes(allocations.map((a) => ({ ...a, kind: "", config: {} })));
  let rewrite = spec.spec === undefined;
  const devices = allocations.map((allocation, index) => {
    const name = cdiDeviceName(uid, allocation.deviceName);
    if (spec.spec !== undefined && !spec.spec.devices.some((d) => d.name === name)) rewrite = true;
    const config = configForRequests(configs, allocation.requestNames);
    const device = input.nodeDevices?.get(deviceKey(allocation.poolName, allocation.deviceName));
    const facts = envFacts(spec.spec, name, prefixes[index] ?? []);
    const record = rebuiltRecord({
      driverName: input.driverName,
      claimUID: uid,
      allocation,
      facts,
      device,
      config,
    });
    if (record.vfioGroup !== undefined) {
      warnings.push(
        `${label}: device ${allocation.deviceName}: its driver before vfio-pci is unknown; it stays on vfio-pci after unprepare`,
      );
    }
    return record;
  });
  const at = input.now.toISOString();
  const entry: PreparedClaimEntry = {
    namespace: claim.metadata?.namespace ?? "",
    name: claim.metadata?.name ?? "",
    state: "prepared",
    podUIDs: podUIDsOf(claim),
    devices,
    createdAt: at,
    updatedAt: at,
    rebuilt: true,
  };
  return { entry, rewrite };
}

/** A checkpoint reconstructed from our CDI specs and the API server's claims. */
export function rebuildCheckpoint(input: RebuildInput): RebuildResult {
  const result: RebuildResult = {
    checkpoint: { claims: {} },
    orphanedSpecs: [],
    specsToRewrite: [],
    warnings: [],
  };
  const byUid = new Map(input.claims.map((c) => [c.metadata?.uid ?? "", c]));
  const specs = [...input.cdiSpecs].sort((a, b) => a.claimUID.localeCompare(b.claimUID));
  for (const spec of specs) {
    const claim = byUid.get(spec.claimUID);
    const orphan = (reason: string) =>
      result.orphanedSpecs.push({ claimUID: spec.claimUID, path: spec.path, reason });
    if (claim === undefined) {
      orphan("no claim with this UID exists");
      continue;
    }
    const allocations = groupAllocationResults(
      claim.status?.allocation?.devices?.results ?? [],
      input.driverName,
    );
    if (allocations.length === 0) {
      orphan(`the claim has no devices of driver ${input.driverName} allocated`);
      continue;
    }
    const { entry, rewrite } = rebuildEntry({ input, spec, claim, allocations, warnings: result.warnings });
    result.checkpoint.claims[spec.claimUID] = entry;
    if (rewrite) result.specsToRewrite.push(spec.claimUID);
  }
  return result;
}
