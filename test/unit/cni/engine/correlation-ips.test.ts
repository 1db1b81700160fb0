// ADD with the netclaim controller's addresses: a device that carries them hands them to the delegate as
// capability `ips` (static IPAM), only to a plugin that declares it; the claim's status.devices entry then
// leaves `ips` to the controller when the delegate used its addresses (one owner of the field); a device that needs them
// (the NAD's netclaim.dev/ip-pool, or its config's ipPool) and has none fails with TRY_AGAIN_LATER before
// anything runs; a pod selection asking for other ips on that network is refused.
import { afterEach, describe, expect, it } from "vitest";
import type { CandidateDevice } from "../../../../src/cni/correlation/types.ts";
import type { DelegateRun } from "../../../fakes/cni-delegates.ts";
import { claimDevice } from "../../../fakes/cni-devices.ts";
import { makeDeviceWorld, nadWithResource } from "../correlation/engine-world.ts";
import type { DeviceWorld } from "../correlation/engine-world.ts";
import { invoke, parsed, pod } from "./support.ts";

const ALLOCATED = ["10.10.0.10/24", "fd00:10::a/64"];
const NIC0 = claimDevice({
  device: "nic0",
  claimName: "pod-a-net",
  requestNames: ["nic"],
  ifName: "nic0",
  resourceNameAttr: "sf-pool-1",
  allocatedIps: ALLOCATED,
});

const staticHostDevice = {
  cniVersion: "1.0.0",
  name: "sf-net",
  type: "host-device",
  capabilities: { ips: true },
  ipam: { type: "static" },
};

let world: DeviceWorld;
afterEach(async () => {
  await world.cleanup();
});

/** What static IPAM answers: the runtimeConfig.ips it was given (IPv6 in a non-canonical spelling). */
function staticResult(run: DelegateRun) {
  const runtimeConfig = run.stdin.runtimeConfig as { ips?: string[] } | undefined;
  const ips = runtimeConfig?.ips ?? ["192.0.2.99/24"];
  return {
    cniVersion: "1.0.0",
    interfaces: [{ name: run.ifName, mac: "02:00:00:00:00:aa", sandbox: run.netns }],
    ips: ips.map((address) => ({ address: address.replace("fd00:10::a", "fd00:10:0::a"), interface: 0 })),
  };
}

interface WorldSpec {
  devices?: CandidateDevice[];
  config?: Record<string, unknown>;
  nadAnnotations?: Record<string, string>;
  networks?: string;
}

async function ipsWorld(spec: WorldSpec = {}): Promise<DeviceWorld> {
  const w = (world = await makeDeviceWorld(spec.devices ?? [NIC0]));
  w.cluster.addPod(pod({ networks: spec.networks ?? "sf-net" }));
  w.cluster.addNad(
    nadWithResource("ns1", "sf-net", "sf-pool-1", spec.config ?? staticHostDevice, spec.nadAnnotations),
  );
  w.delegates.on({ command: "ADD", type: "host-device" }, staticResult);
  return w;
}

const hostDeviceAdd = (w: DeviceWorld) =>
  w.delegates.runs.find((r) => r.type === "host-device" && r.command === "ADD");

describe("the controller's addresses reach the delegate", () => {
  it.each([
    {
      name: "a plugin declaring the ips capability gets them as runtimeConfig.ips",
      config: staticHostDevice,
      want: { ips: ALLOCATED },
    },
    {
      name: "a plugin that does not declare it gets no runtimeConfig",
      config: { ...staticHostDevice, capabilities: {} },
      want: undefined,
    },
  ])("$name", async ({ config, want }) => {
    const w = await ipsWorld({ config });
    const reply = await invoke(w, "ADD");
    expect(reply.exitCode).toBe(0);
    expect(hostDeviceAdd(w)?.stdin.runtimeConfig).toEqual(want);
  });

  it("the claim's status leaves ips to the controller when the delegate used its addresses", async () => {
    const w = await ipsWorld({ nadAnnotations: { "netclaim.dev/ip-pool": "pool-a" } });
    expect((await invoke(w, "ADD")).exitCode).toBe(0);
    expect(w.claims.writes).toHaveLength(1);
    expect(w.claims.writes[0]?.devices[0]?.networkData).toEqual({
      interfaceName: "net1",
      hardwareAddress: "02:00:00:00:00:aa",
    });
  });

  it("a pod selection asking for the same ips is accepted", async () => {
    const networks = JSON.stringify([{ name: "sf-net", ips: ["fd00:10::a/64", "10.10.0.10/24"] }]);
    const w = await ipsWorld({ networks });
    expect((await invoke(w, "ADD")).exitCode).toBe(0);
    expect(hostDeviceAdd(w)?.stdin.runtimeConfig).toEqual({ ips: ALLOCATED });
  });

  it("a pod selection asking for other ips is refused before anything runs", async () => {
    const networks = JSON.stringify([{ name: "sf-net", ips: ["10.9.9.9/24"] }]);
    const w = await ipsWorld({ networks });
    const reply = parsed(await invoke(w, "ADD"));
    expect(reply).toMatchObject({ code: 7 });
    expect(reply.msg).toContain(
      "the pod's network selection asks for ips 10.9.9.9/24, but claim ns1/pod-a-net device node-1/nic0 has 10.10.0.10/24, fd00:10::a/64 from the netclaim controller",
    );
    expect(w.delegates.runs).toEqual([]);
  });
});

describe("a device still waiting for its addresses", () => {
  it.each<{ name: string; devices: CandidateDevice[]; nadAnnotations: Record<string, string>; pool: string }>(
    [
      {
        name: "the NAD names a pool",
        devices: [{ ...NIC0, allocatedIps: undefined }],
        nadAnnotations: { "netclaim.dev/ip-pool": "pool-n" },
        pool: "pool-n",
      },
      {
        name: "the device's config names a pool",
        devices: [{ ...NIC0, allocatedIps: undefined, ipPool: "pool-c" }],
        nadAnnotations: {},
        pool: "pool-c",
      },
    ],
  )(
    "$name: TRY_AGAIN_LATER naming claim and pool, nothing run",
    async ({ devices, nadAnnotations, pool }) => {
      const w = await ipsWorld({ devices, nadAnnotations });
      const reply = await invoke(w, "ADD");
      expect(reply.exitCode).toBe(1);
      const error = parsed(reply);
      expect(error).toMatchObject({ code: 11 });
      expect(error.msg).toContain(
        `claim ns1/pod-a-net device node-1/nic0: waiting for addresses from the netclaim controller (IPPool ${pool})`,
      );
      expect(w.delegates.runs).toEqual([]);
      expect(w.claims.writes).toEqual([]);
    },
  );

  it("the need carries the NAD's pool to the device source", async () => {
    const w = await ipsWorld({ nadAnnotations: { "netclaim.dev/ip-pool": "pool-n" } });
    await invoke(w, "ADD");
    expect(w.source.queries[0]?.needs).toEqual([
      {
        index: 1,
        network: "ns1/sf-net",
        resourceName: "sf-pool-1",
        ipPool: "pool-n",
        ipPoolDriver: "netclaim.dev",
      },
    ]);
  });
});
