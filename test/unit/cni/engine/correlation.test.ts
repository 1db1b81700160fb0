// ADD/DEL with correlation's ports: the device in each delegate's stdin (host-device's `device` for a
// netdev, SR-IOV's deviceID/pciBusID and capability args), the device-info file written before the
// delegate and removed on DEL (and on rollback), device-info in network-status, the claim's
// status.devices, a missing device failing the ADD before anything runs, one device never to two
// networks, and resourceNames ignored without a DeviceSource.
import { afterEach, describe, expect, it } from "vitest";
import type { AttachmentCacheEntry } from "../../../../src/cni/cache/entry-schema.ts";
import { claimDevice } from "../../../fakes/cni-devices.ts";
import { pluginError } from "../../../fakes/cni-delegates.ts";
import {
  hostDeviceConfig,
  makeDeviceWorld,
  nadWithResource,
  sriovConfig,
} from "../correlation/engine-world.ts";
import type { DeviceWorld } from "../correlation/engine-world.ts";
import { CONTAINER_ID, POD_UID, invoke, logsAt, makeWorld, parsed, pod } from "./support.ts";
import type { World } from "./support.ts";

const NIC0 = claimDevice({
  device: "nic0",
  claimName: "pod-a-net",
  requestNames: ["nic"],
  ifName: "nic0",
  resourceNameAttr: "sf-pool-1",
  cdiDeviceIds: ["netclaim.dev/net=claim-uid-nic0"],
});
const NIC1 = { ...NIC0, device: "nic1", ifName: "nic1", cdiDeviceIds: ["netclaim.dev/net=claim-uid-nic1"] };
const VF = claimDevice({
  device: "vf-0000-3b-02-1",
  claimName: "pod-a-vf",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.1",
  pfPciAddress: "0000:3b:00.0",
  resourceNameAttr: "vf-pool",
  cdiDeviceIds: ["netclaim.dev/net=claim-uid-vf"],
});

const SF_FILE = `/run/test-devinfo/cni/ns1-sf-net-${CONTAINER_ID}_net1`;

let world: DeviceWorld | World;
afterEach(async () => {
  await world.cleanup();
});

async function cachedEntry(w: World): Promise<AttachmentCacheEntry> {
  const read = await w.cache.read({ containerID: CONTAINER_ID, ifname: "eth0" });
  if (read.kind !== "found") throw new Error(`cache entry ${read.kind}`);
  return read.entry;
}

function runOf(w: World, type: string, command = "ADD") {
  return w.delegates.runs.find((r) => r.type === type && r.command === command);
}

async function sfWorld(devices = [NIC0], networks = "sf-net"): Promise<DeviceWorld> {
  const w = await makeDeviceWorld(devices);
  w.cluster.addPod(pod({ networks }));
  w.cluster.addNad(nadWithResource("ns1", "sf-net", "sf-pool-1", hostDeviceConfig("sf-net")));
  return w;
}

describe("ADD hands the device to host-device", () => {
  it("gives a plain netdev as `device`, with no pciBusID and no deviceID capability", async () => {
    const w = (world = await sfWorld());
    const reply = await invoke(w, "ADD");
    expect(reply.exitCode).toBe(0);
    const run = runOf(w, "host-device");
    expect(run?.ifName).toBe("net1");
    expect(run?.stdin).toMatchObject({ type: "host-device", device: "nic0" });
    expect(run?.stdin).not.toHaveProperty("pciBusID");
    expect(run?.stdin).not.toHaveProperty("runtimeConfig");
    expect(w.source.queries).toEqual([
      {
        pod: { namespace: "ns1", name: "pod-a", uid: POD_UID },
        needs: [{ index: 1, network: "ns1/sf-net", resourceName: "sf-pool-1" }],
      },
    ]);
  });

  it("writes the device-info file before the delegate runs and records it in the cache entry", async () => {
    const w = (world = await sfWorld());
    let fileAtAdd: unknown;
    w.delegates.on({ command: "ADD", type: "host-device" }, () => {
      fileAtAdd = w.store.files.get(SF_FILE);
      return undefined;
    });
    await invoke(w, "ADD");
    expect(fileAtAdd).toMatchObject({
      version: "1.1.0",
      "netclaim.dev/device": {
        device: "nic0",
        claim: { namespace: "ns1", name: "pod-a-net" },
        deviceID: "nic0",
        cdiDeviceIDs: ["netclaim.dev/net=claim-uid-nic0"],
      },
    });
    const network = (await cachedEntry(w)).networks[1];
    expect(network).toMatchObject({
      name: "ns1/sf-net",
      deviceInfoFile: SF_FILE,
      config: { type: "host-device", device: "nic0" },
      runtimeConfig: { cdiDeviceIDs: ["netclaim.dev/net=claim-uid-nic0"], CNIDeviceInfoFile: SF_FILE },
    });
  });

  it("DEL from the cache removes the device-info file after the delegate's DEL", async () => {
    const w = (world = await sfWorld());
    await invoke(w, "ADD");
    w.store.events.length = 0;
    expect((await invoke(w, "DEL")).exitCode).toBe(0);
    expect(w.store.summary()).toEqual([`remove ${SF_FILE}`]);
    expect(w.store.files.has(SF_FILE)).toBe(false);
    expect(runOf(w, "host-device", "DEL")?.stdin).toMatchObject({ device: "nic0" });
  });

  it("a failing delegate rolls back and removes the file", async () => {
    const w = (world = await sfWorld());
    w.delegates.on(
      { command: "ADD", type: "host-device" },
      pluginError("host-device", "ADD", 999, "Link not found"),
    );
    const reply = await invoke(w, "ADD");
    expect(reply.exitCode).toBe(1);
    expect(w.store.summary()).toEqual([`write ${SF_FILE}`, `remove ${SF_FILE}`]);
    expect(w.store.files.size).toBe(0);
  });
});

describe("ADD hands a VF to SR-IOV CNI", () => {
  async function vfWorld(annotations: Record<string, string> = {}): Promise<DeviceWorld> {
    const w = await makeDeviceWorld([VF]);
    w.cluster.addPod(pod({ networks: "vf-net" }));
    w.cluster.addNad(nadWithResource("ns1", "vf-net", "vf-pool", sriovConfig("vf-net"), annotations));
    return w;
  }
  const VF_FILE = `/run/test-devinfo/cni/ns1-vf-net-${CONTAINER_ID}_net1`;

  it("as deviceID and pciBusID, with the declared capabilities in runtimeConfig", async () => {
    const w = (world = await vfWorld());
    await invoke(w, "ADD");
    expect(runOf(w, "sriov")?.stdin).toMatchObject({
      deviceID: "0000:3b:02.1",
      pciBusID: "0000:3b:02.1",
      runtimeConfig: {
        deviceID: "0000:3b:02.1",
        CNIDeviceInfoFile: VF_FILE,
        cdiDeviceIDs: ["netclaim.dev/net=claim-uid-vf"],
      },
    });
  });

  it("puts the device-info in network-status", async () => {
    const w = (world = await vfWorld());
    await invoke(w, "ADD");
    const statuses = JSON.parse(w.writer.writes[0]?.value ?? "[]") as Record<string, unknown>[];
    expect(statuses.find((s) => s.name === "ns1/vf-net")?.["device-info"]).toEqual({
      type: "pci",
      version: "1.1.0",
      pci: { "pci-address": "0000:3b:02.1", "pf-pci-address": "0000:3b:00.0" },
    });
  });

  it("in the released-Multus CDI-name form when the NAD asks for it", async () => {
    const w = (world = await vfWorld({ "netclaim.dev/device-id-format": "cdi-name" }));
    await invoke(w, "ADD");
    expect(runOf(w, "sriov")?.stdin).toMatchObject({
      deviceID: "claim-uid-vf",
      pciBusID: "claim-uid-vf",
      runtimeConfig: { deviceID: "claim-uid-vf" },
    });
  });

  it("refuses an unknown device-id format before anything runs", async () => {
    const w = (world = await vfWorld({ "netclaim.dev/device-id-format": "pci" }));
    const reply = parsed(await invoke(w, "ADD"));
    expect(reply).toMatchObject({
      code: 7,
      msg: 'pod ns1/pod-a: network "ns1/vf-net": annotation netclaim.dev/device-id-format: "pci" is not one of device-id, cdi-name',
    });
    expect(w.delegates.runs).toEqual([]);
  });
});

describe("the claim's status.devices", () => {
  it("is written after the ADD with the pod interface, addresses and MAC of the device's network", async () => {
    const w = (world = await sfWorld());
    await invoke(w, "ADD");
    expect(w.claims.writes).toEqual([
      {
        claim: { namespace: "ns1", name: "pod-a-net" },
        devices: [
          {
            driver: "netclaim.dev",
            pool: "node-1",
            device: "nic0",
            networkData: {
              interfaceName: "net1",
              ips: ["10.2.0.5/24"],
              hardwareAddress: "02:00:00:00:00:02",
            },
            message: "attached to pod ns1/pod-a as net1 (network ns1/sf-net)",
          },
        ],
      },
    ]);
  });

  it("failing to write it is logged and does not fail the ADD", async () => {
    const w = (world = await sfWorld());
    w.claims.failWith = new Error("403 Forbidden");
    const reply = await invoke(w, "ADD");
    expect(reply.exitCode).toBe(0);
    expect(logsAt(w, "error").map((l) => l.msg)).toContain("claim status.devices not written");
  });
});

describe("a network without its device", () => {
  it("fails the ADD naming the pod, the network and the resourceName, before anything runs", async () => {
    const w = (world = await sfWorld([]));
    w.source.consulted = ["checkpoint", "podresources", "api"];
    const reply = parsed(await invoke(w, "ADD"));
    expect(reply).toEqual({
      cniVersion: "1.0.0",
      code: 108,
      msg:
        'pod ns1/pod-a: network "ns1/sf-net" needs a device of resourceName "sf-pool-1" and the pod was given none ' +
        '(no device of its claims has the attribute k8s.cni.cncf.io/resourceName "sf-pool-1" or comes from a ' +
        "DeviceClass, claim or request of that name, and it has no device-plugin device of that resource; " +
        "looked in: checkpoint, podresources, api)",
    });
    expect(w.delegates.runs).toEqual([]);
    expect(await w.cache.list()).toMatchObject({ entries: [] });
  });

  it("one device never goes to two networks", async () => {
    const w = (world = await sfWorld([NIC0], "sf-net@net1, sf-net@net2"));
    const reply = parsed(await invoke(w, "ADD"));
    expect(reply).toMatchObject({
      code: 108,
      msg: 'pod ns1/pod-a: network "ns1/sf-net" needs a device of resourceName "sf-pool-1" and none is left: the pod\'s 1 matching device went to network "ns1/sf-net"',
    });
    expect(w.delegates.runs).toEqual([]);
  });

  it("two networks of one resourceName get a device each, in order", async () => {
    const w = (world = await sfWorld([NIC0, NIC1], "sf-net@net1, sf-net@net2"));
    expect((await invoke(w, "ADD")).exitCode).toBe(0);
    const hostDevice = w.delegates.runs.filter((r) => r.type === "host-device");
    expect(hostDevice.map((r) => [r.ifName, r.stdin.device])).toEqual([
      ["net1", "nic0"],
      ["net2", "nic1"],
    ]);
  });
});

describe("without a DeviceSource", () => {
  it("ignores resourceName, as before correlation", async () => {
    const w = (world = await makeWorld());
    w.cluster.addPod(pod({ networks: "sf-net" }));
    w.cluster.addNad(
      nadWithResource("ns1", "sf-net", "sf-pool-1", { ...hostDeviceConfig("sf-net"), device: "eth7" }),
    );
    expect((await invoke(w, "ADD")).exitCode).toBe(0);
    expect(runOf(w, "host-device")?.stdin).toMatchObject({ device: "eth7" });
    expect(runOf(w, "host-device")?.stdin).not.toHaveProperty("deviceID");
    expect((await cachedEntry(w)).networks[1]).not.toHaveProperty("deviceInfoFile");
  });
});
