// A network's addresses as the claim records them, and whether the ADD would wait for them: the netclaim
// controller's status.devices[] entry of the device (src/api/claim-addresses.ts: AddressesAllocated and
// networkData.ips) and the CNI side's (networkData.interfaceName/hardwareAddress, Ready), and the CNI
// side's own rule for "addresses still awaited" (handover.ts addressesPending: the NAD's
// netclaim.dev/ip-pool, else the device config's ipPool, and no addresses yet). Pure.
//
// Public API: `explainAddresses`.
import { ADDRESSES_CONDITION, controllerAddresses } from "../api/claim-addresses.ts";
import { addressesPending } from "../cni/correlation/handover.ts";
import type { CandidateDevice, DeviceNeed } from "../cni/correlation/types.ts";
import { finding } from "./explanation.ts";
import type { AddressesExplanation, Finding } from "./explanation.ts";
import type { ExplainClaim } from "./snapshot.ts";

type Condition = { type: string; status: string; reason?: string; message?: string };

const READY_CONDITION = "Ready";

function conditionView(condition: Condition | undefined): AddressesExplanation["allocated"] {
  if (condition === undefined) return undefined;
  return { status: condition.status, reason: condition.reason ?? "", message: condition.message ?? "" };
}

/** The device's addresses and, when the ADD would wait for them, an error finding. */
export function explainAddresses(
  need: DeviceNeed,
  device: CandidateDevice,
  claim: ExplainClaim | undefined,
): { addresses?: AddressesExplanation; findings: Finding[] } {
  const key = { driver: device.driver, pool: device.pool, device: device.device, shareID: device.shareID };
  const entries = claim?.status?.devices ?? [];
  const entry = entries.find(
    (e) =>
      e.driver === key.driver &&
      e.pool === key.pool &&
      e.device === key.device &&
      (e.shareID ?? "") === (key.shareID ?? ""),
  );
  const conditions = (entry?.conditions ?? []) as Condition[];
  const controller = controllerAddresses(entries, key);
  const pool = need.ipPool ?? device.ipPool;
  const findings: Finding[] = [];
  const pending = addressesPending(need, device);
  if (pending !== undefined) {
    const label = `resourceclaim ${device.claimNamespace}/${device.claimName} device ${device.pool}/${device.device}`;
    const why =
      controller.state === "pending"
        ? `: ${controller.reason} ${controller.message}`.trimEnd()
        : ": no addresses yet";
    const code =
      controller.state === "pending" && controller.reason === "PoolExhausted"
        ? "POOL_EXHAUSTED"
        : "ADDRESSES_PENDING";
    findings.push(
      finding(
        "error",
        code,
        `${label} waits for addresses from the netclaim controller (IPPool ${pending})${why}`,
      ),
    );
  }
  if (entry === undefined && pool === undefined) return { findings };
  const reported = entry?.networkData?.ips ?? [];
  const addresses: AddressesExplanation = {
    ips: controller.state === "allocated" ? controller.ips : reported.filter((ip) => typeof ip === "string"),
  };
  const data = entry?.networkData;
  if (data?.interfaceName) addresses.interfaceName = data.interfaceName;
  if (data?.hardwareAddress) addresses.hardwareAddress = data.hardwareAddress;
  if (pool !== undefined) addresses.ipPool = pool;
  const allocated = conditionView(conditions.find((c) => c.type === ADDRESSES_CONDITION));
  const ready = conditionView(conditions.find((c) => c.type === READY_CONDITION));
  if (allocated !== undefined) addresses.allocated = allocated;
  if (ready !== undefined) addresses.ready = ready;
  return { addresses, findings };
}
