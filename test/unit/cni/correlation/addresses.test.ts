// The controller's addresses through correlation: the checkpoint's devices carry what prepare recorded
// (and the pool their config names), the API's what the claim's status shows with AddressesAllocated True;
// a merge fills them in from a later source without replacing the first one's; the layered source asks
// the API when a device that needs addresses came without them, and not when they are there;
// `addressesPending` decides which devices wait; `claimStatusUpdates` leaves `ips` to the controller when
// the delegate's result holds the same addresses, and reports what the delegate did otherwise.
import { describe, expect, it } from "vitest";
import { apiCandidates } from "../../../../src/cni/correlation/api-candidates.ts";
import type { ApiClaim } from "../../../../src/cni/correlation/api-candidates.ts";
import { checkpointCandidates } from "../../../../src/cni/correlation/checkpoint-source.ts";
import { claimStatusUpdates } from "../../../../src/cni/correlation/claim-status-updates.ts";
import { LayeredDeviceSource } from "../../../../src/cni/correlation/device-source.ts";
import type { PodDeviceReader, ReaderSkip } from "../../../../src/cni/correlation/device-source.ts";
import { addressesPending } from "../../../../src/cni/correlation/handover.ts";
import { mergeCandidates } from "../../../../src/cni/correlation/merge-candidates.ts";
import type { CandidateDevice, DeviceSourceName } from "../../../../src/cni/correlation/types.ts";
import type { Result100 } from "../../../../src/cni/protocol/result.ts";
import { claimDevice } from "../../../fakes/cni-devices.ts";
import { captureLogger } from "../../../fakes/logger.ts";
import { checkpointOf, claimObject, preparedDevice } from "./support.ts";

const IPS = ["10.10.0.10/24", "fd00:10::a/64"];

function controllerStatus(status: "True" | "False", ips: string[]) {
  return {
    driver: "netclaim.dev",
    pool: "node-1",
    device: "nic0",
    conditions: [
      { type: "Ready", status: "True", reason: "NetworkAttached", message: "" },
      { type: "AddressesAllocated", status, reason: status === "True" ? "Allocated" : "PoolExhausted" },
    ],
    networkData: { interfaceName: "net1", ips },
  };
}

describe("candidates carry the controller's addresses", () => {
  it("checkpoint: the recorded ips and the config's pool", () => {
    const checkpoint = checkpointOf({
      "uid-a": {
        name: "claim-a",
        podUIDs: ["pod-1"],
        devices: [
          preparedDevice("nic0", { ips: IPS, config: { ipPool: "pool-a" } }),
          preparedDevice("nic1", { config: { ipPool: "pool-a" } }),
          preparedDevice("nic2"),
        ],
      },
    });
    const found = checkpointCandidates(checkpoint, "pod-1", "netclaim.dev");
    expect(found.map((d) => [d.device, d.allocatedIps, d.ipPool])).toEqual([
      ["nic0", IPS, "pool-a"],
      ["nic1", undefined, "pool-a"],
      ["nic2", undefined, undefined],
    ]);
  });

  it.each([
    { name: "AddressesAllocated True: the ips", status: [controllerStatus("True", IPS)], want: IPS },
    {
      name: "False: a partial set is not handed over",
      status: [controllerStatus("False", IPS)],
      want: undefined,
    },
    { name: "no status.devices", status: [], want: undefined },
  ])("API: $name", ({ status, want }) => {
    const claim = claimObject({
      name: "claim-a",
      requests: { nic: "sf-pool-1" },
      results: [{ request: "nic", device: "nic0" }],
    }) as ApiClaim;
    claim.status = { ...claim.status, devices: status };
    const [device] = apiCandidates(claim, { claimName: "claim-a" }, new Map());
    expect(device?.allocatedIps).toEqual(want);
  });

  it.each([
    { name: "the checkpoint has none: the API's fill in", first: undefined, later: IPS, want: IPS },
    { name: "the checkpoint's stay", first: ["10.10.0.9/24"], later: IPS, want: ["10.10.0.9/24"] },
    { name: "nobody has any", first: undefined, later: undefined, want: undefined },
  ])("merge: $name", ({ first, later, want }) => {
    const checkpoint = claimDevice({
      device: "nic0",
      ipPool: "pool-a",
      ...(first === undefined ? {} : { allocatedIps: first }),
    });
    const api = claimDevice({
      device: "nic0",
      sources: ["api"],
      ...(later === undefined ? {} : { allocatedIps: later }),
    });
    const [merged] = mergeCandidates([checkpoint], [api]);
    expect(merged?.allocatedIps).toEqual(want);
    expect(merged?.ipPool).toBe("pool-a");
  });
});

describe("addressesPending", () => {
  it.each([
    { name: "no pool anywhere", need: {}, device: {}, want: undefined },
    { name: "the NAD's pool, no addresses", need: { ipPool: "pool-n" }, device: {}, want: "pool-n" },
    { name: "the config's pool, no addresses", need: {}, device: { ipPool: "pool-c" }, want: "pool-c" },
    {
      name: "both: the NAD's is named",
      need: { ipPool: "pool-n" },
      device: { ipPool: "pool-c" },
      want: "pool-n",
    },
    { name: "addresses there", need: { ipPool: "pool-n" }, device: { allocatedIps: IPS }, want: undefined },
    {
      name: "a device-plugin device (the controller serves claims only)",
      need: { ipPool: "pool-n" },
      device: { origin: "device-plugin" as const },
      want: undefined,
    },
    {
      name: "the NAD's pool, a claim device of the controller's driver",
      need: { ipPool: "pool-n", ipPoolDriver: "netclaim.dev" },
      device: {},
      want: "pool-n",
    },
    {
      name: "the NAD's pool, a claim device of another driver (the controller does not serve it)",
      need: { ipPool: "pool-n", ipPoolDriver: "netclaim.dev" },
      device: { driver: "sriov.example.com" },
      want: undefined,
    },
  ])("$name", ({ need, device, want }) => {
    expect(addressesPending(need, { origin: "claim", driver: "netclaim.dev", ...device })).toBe(want);
  });
});

class Reader implements PodDeviceReader {
  readonly name: DeviceSourceName;
  readonly skipWhen: ReaderSkip;
  readonly answer: CandidateDevice[];
  calls = 0;

  constructor(name: DeviceSourceName, skipWhen: ReaderSkip, answer: CandidateDevice[]) {
    this.name = name;
    this.skipWhen = skipWhen;
    this.answer = answer;
  }

  read(): Promise<CandidateDevice[]> {
    this.calls++;
    return Promise.resolve(this.answer);
  }
}

describe("LayeredDeviceSource and addresses", () => {
  const local = claimDevice({ device: "nic0", resourceNameAttr: "sf-pool-1" });
  const fromApi = claimDevice({ device: "nic0", sources: ["api"], allocatedIps: IPS });
  it.each([
    { name: "no pool: the checkpoint settles it", device: local, ipPool: undefined, apiCalls: 0 },
    {
      name: "the NAD's pool and no addresses in the checkpoint: the API is asked",
      device: local,
      ipPool: "pool-n",
      apiCalls: 1,
    },
    {
      name: "the config's pool and no addresses in the checkpoint: the API is asked",
      device: { ...local, ipPool: "pool-c" },
      ipPool: undefined,
      apiCalls: 1,
    },
    {
      name: "the checkpoint has the addresses: the API is not asked",
      device: { ...local, ipPool: "pool-c", allocatedIps: IPS },
      ipPool: "pool-n",
      apiCalls: 0,
    },
  ])("$name", async ({ device, ipPool, apiCalls }) => {
    const api = new Reader("api", "all-found", [fromApi]);
    const source = new LayeredDeviceSource({
      readers: [new Reader("checkpoint", "never", [device]), api],
      logger: captureLogger().logger,
    });
    const need = { index: 1, network: "ns1/sf-net", resourceName: "sf-pool-1" };
    const answer = await source.devicesFor({
      pod: { namespace: "ns1", name: "pod-a", uid: "u" },
      needs: [ipPool === undefined ? need : { ...need, ipPool }],
    });
    expect(api.calls).toBe(apiCalls);
    expect(answer.candidates[0]?.allocatedIps).toEqual(
      device.allocatedIps ?? (apiCalls > 0 ? IPS : undefined),
    );
  });
});

describe("claimStatusUpdates with the controller's addresses", () => {
  const result = (addresses: string[]): Result100 => ({
    cniVersion: "1.0.0",
    interfaces: [{ name: "net1", mac: "02:00:00:00:00:aa", sandbox: "/var/run/netns/p" }],
    ips: addresses.map((address) => ({ address, interface: 0 })),
    routes: [],
    dns: {},
  });
  it.each([
    {
      name: "the delegate used them (other order, other spelling): no ips, the controller's field stays its own",
      got: ["fd00:10:0:0::a/64", "10.10.0.10/24"],
      want: undefined,
    },
    {
      name: "the delegate used some of them only: what it has",
      got: ["10.10.0.10/24"],
      want: ["10.10.0.10/24"],
    },
    { name: "the delegate assigned others: what it assigned", got: ["192.0.2.7/24"], want: ["192.0.2.7/24"] },
  ])("$name", ({ got, want }) => {
    const device = claimDevice({ device: "nic0", allocatedIps: IPS });
    const [update] = claimStatusUpdates(
      [{ network: "ns1/sf-net", ifName: "net1", device, result: result(got) }],
      { driverName: "netclaim.dev", pod: "ns1/pod-a" },
    );
    expect(update?.devices[0]?.networkData.ips).toEqual(want);
    expect(update?.devices[0]?.networkData.interfaceName).toBe("net1");
  });
});
