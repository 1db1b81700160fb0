// Pure: the claim's status.devices[] entries the controller owns, after the shell tried its allocations.
// One entry per device that needs addresses: the list-map key (driver, pool, device, shareID),
// `networkData.ips` (every address held, IPv4 first, CIDR form with the pool's prefix length; left out
// when there is none) and one condition `AddressesAllocated`:
//   True  Allocated      "10.10.0.10/24, fd00:10::a/64 from IPPool pool-a"
//   False PoolExhausted  "IPPool pool-a has no free IPv6 address" (what it does hold is still listed)
//   False PoolNotFound | InvalidPool | InvalidConfig | AmbiguousPool  (the plan's problem)
// lastTransitionTime is kept while the condition's status stays. Other managers' fields of the same
// entries (interfaceName, hardwareAddress, Ready from the node side) are theirs: server-side apply merges.
// The node side hands these addresses to the delegate (runtimeConfig.ips) and, once attached, applies the
// very same `ips` list under its own manager (src/cni/correlation/claim-status-updates.ts): the field is
// then co-owned with one value, and this apply stays conflict-free while the addresses stay. Changing a
// device's addresses after its pod attached (a family added to the pool, a deleted pool's addresses
// collected) conflicts with the node side's co-ownership and fails the write naming it (the pod still
// carries the old addresses until it is attached again).
// `changed` is false when the claim already shows exactly this, so a steady claim costs no write.
// A Warning Event is due when a device's condition turns False or changes reason — not on every pass.
//
// Public API: `WantOutcome`, `wantKey`, `ClaimEvent`, `ClaimStatusRender`, `renderClaimStatus`,
// `ownedStatusEntries`, `statusEntriesEqual`.
import type { IPAllocation, IpFamily } from "../../api/ip-address.ts";
import type { DevicePlan } from "./decide.ts";
import { ownsStatusEntry } from "./decide.ts";
import { ADDRESSES_CONDITION, deviceRefKey } from "./types.ts";
import type { Condition, DeviceRef, DeviceStatusEntry, ResourceClaim } from "./types.ts";

export type WantOutcome =
  { ok: true; allocation: IPAllocation } | { ok: false; reason: "PoolExhausted"; message: string };

export function wantKey(device: DeviceRef, family: IpFamily): string {
  return `${deviceRefKey(device)}|${family}`;
}

export interface ClaimEvent {
  type: "Warning" | "Normal";
  reason: string;
  message: string;
}

export interface ClaimStatusRender {
  /** Every entry the controller owns, to apply as a whole. */
  entries: DeviceStatusEntry[];
  changed: boolean;
  events: ClaimEvent[];
  /** Pools whose change or freed addresses may help a device that has none. */
  waitingOn: string[];
}

/** The claim's current entries the controller owns (those carrying its condition). */
export function ownedStatusEntries(claim: ResourceClaim): DeviceStatusEntry[] {
  return (claim.status?.devices ?? []).filter(ownsStatusEntry);
}

function ourCondition(entry: DeviceStatusEntry | undefined): Condition | undefined {
  return entry?.conditions?.find((c) => c.type === ADDRESSES_CONDITION);
}

function deviceCondition(
  device: DevicePlan,
  ips: string[],
  failures: string[],
): Omit<Condition, "lastTransitionTime"> {
  const base = { type: ADDRESSES_CONDITION };
  if (device.problem !== undefined) return { ...base, status: "False", ...device.problem };
  if (failures.length > 0)
    return { ...base, status: "False", reason: "PoolExhausted", message: failures.join("; ") };
  const from = device.need.pool === undefined ? "" : ` from IPPool ${device.need.pool}`;
  return { ...base, status: "True", reason: "Allocated", message: `${ips.join(", ")}${from}` };
}

interface RenderInputs {
  claim: ResourceClaim;
  devices: readonly DevicePlan[];
  outcomes: ReadonlyMap<string, WantOutcome>;
  /** RFC 3339, for new transitions. */
  now: string;
}

function renderDevice(inputs: RenderInputs, device: DevicePlan, current: DeviceStatusEntry | undefined) {
  const held = device.held.map((h) => ({ family: h.family, address: h.address }));
  const failures: string[] = [];
  for (const family of device.wanted) {
    const outcome = inputs.outcomes.get(wantKey(device.need.ref, family));
    if (outcome?.ok === true) held.push({ family, address: outcome.allocation.spec.address });
    else if (outcome !== undefined) failures.push(outcome.message);
    else failures.push(`no ${family} address was allocated`);
  }
  const ips = held.sort((a, b) => a.family.localeCompare(b.family)).map((h) => h.address);
  const partial = deviceCondition(device, ips, failures);
  const previous = ourCondition(current);
  const lastTransitionTime =
    previous !== undefined && previous.status === partial.status ? previous.lastTransitionTime : inputs.now;
  const entry: DeviceStatusEntry = { ...device.need.ref, conditions: [{ ...partial, lastTransitionTime }] };
  if (ips.length > 0) entry.networkData = { ips };
  const turnedBad =
    partial.status === "False" && (previous?.status !== "False" || previous.reason !== partial.reason);
  return { entry, turnedBad, condition: partial };
}

/** Equal in what the controller owns: key, ips, and its condition (time included). */
export function statusEntriesEqual(
  a: readonly DeviceStatusEntry[],
  b: readonly DeviceStatusEntry[],
): boolean {
  if (a.length !== b.length) return false;
  const index = new Map(b.map((e) => [deviceRefKey(e), e]));
  return a.every((x) => {
    const y = index.get(deviceRefKey(x));
    if (y === undefined) return false;
    const [cx, cy] = [ourCondition(x), ourCondition(y)];
    const sameIps = JSON.stringify(x.networkData?.ips ?? []) === JSON.stringify(y.networkData?.ips ?? []);
    const sameCondition =
      cx?.status === cy?.status &&
      cx?.reason === cy?.reason &&
      cx?.message === cy?.message &&
      cx?.lastTransitionTime === cy?.lastTransitionTime;
    return sameIps && sameCondition;
  });
}

export function renderClaimStatus(inputs: RenderInputs): ClaimStatusRender {
  const current = new Map((inputs.claim.status?.devices ?? []).map((e) => [deviceRefKey(e), e]));
  const entries: DeviceStatusEntry[] = [];
  const events: ClaimEvent[] = [];
  const waitingOn = new Set<string>();
  for (const device of inputs.devices) {
    const rendered = renderDevice(inputs, device, current.get(deviceRefKey(device.need.ref)));
    entries.push(rendered.entry);
    const { status, reason, message } = rendered.condition;
    if (status === "False" && device.need.pool !== undefined && reason !== "InvalidConfig") {
      waitingOn.add(device.need.pool);
    }
    if (rendered.turnedBad) {
      events.push({ type: "Warning", reason, message: `device ${device.need.ref.device}: ${message}` });
    }
  }
  const changed = !statusEntriesEqual(entries, ownedStatusEntries(inputs.claim));
  return { entries, changed, events, waitingOn: [...waitingOn].sort() };
}
