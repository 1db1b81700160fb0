// Device-info files: the NPWG paths and format (src/api/device-info.ts), what netclaim writes for each
// kind of device (deviceInfoFor), and the file store on a real directory.
import { mkdtemp, readdir, rm, stat, writeFile, mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  cniDeviceInfoFileName,
  cniDeviceInfoPath,
  dpDeviceInfoPath,
  parseDeviceInfoText,
} from "../../../../src/api/device-info.ts";
import type { DeviceInfoFile } from "../../../../src/api/device-info.ts";
import { deviceInfoFor } from "../../../../src/cni/correlation/device-info.ts";
import { FileDeviceInfoStore } from "../../../../src/cni/correlation/device-info-store.ts";
import { specDeviceInfo } from "../../../../src/cni/engine/device-info-status.ts";
import { claimDevice, pluginDevice } from "../../../fakes/cni-devices.ts";

describe("device-info paths (spec §4, the NAD client's helpers)", () => {
  it.each([
    {
      name: "device plugin file, / replaced",
      got: dpDeviceInfoPath("intel.com/sriov_netdevice", "0000:af:0a.3"),
      want: "/var/run/k8s.cni.cncf.io/devinfo/dp/intel.com-sriov_netdevice-0000:af:0a.3-device.json",
    },
    {
      name: "CNI file of a NAD attachment, Multus's name",
      got: cniDeviceInfoPath(cniDeviceInfoFileName("ns1/sf-net", "3f6c1d2e", "net1")),
      want: "/var/run/k8s.cni.cncf.io/devinfo/cni/ns1-sf-net-3f6c1d2e_net1",
    },
  ])("$name", ({ got, want }) => {
    expect(got).toBe(want);
  });

  it.each([
    { name: "not JSON", text: "{", ok: false },
    { name: "a wrong type", text: '{"type": 3}', ok: false },
    {
      name: "unknown keys kept",
      text: '{"type":"pci","version":"1.1.0","pci":{"pci-address":"0000:01:02.2"},"x":1}',
      ok: true,
    },
  ])("parses leniently: $name", ({ text, ok }) => {
    const parsed = parseDeviceInfoText(text);
    expect(parsed.ok).toBe(ok);
    if (parsed.ok) expect(parsed.info).toMatchObject({ x: 1, pci: { "pci-address": "0000:01:02.2" } });
  });
});

const VF = claimDevice({
  device: "vf-1",
  kind: "sriov-vf",
  pciAddress: "0000:3b:02.1",
  pfPciAddress: "0000:3b:00.0",
  ifName: "ens1f0v1",
  resourceNameAttr: "vf-pool",
  cdiDeviceIds: ["netclaim.dev/net=u-vf-1"],
});
const SF = claimDevice({
  device: "sf-1",
  kind: "subfunction",
  pciAddress: "0000:3b:00.0",
  ifName: "enp59s0f0s1",
});

describe("deviceInfoFor", () => {
  it.each<{ name: string; input: Parameters<typeof deviceInfoFor>[0]; want: DeviceInfoFile | undefined }>([
    {
      name: "a VF: pci, with netclaim's record",
      input: { device: VF, deviceId: "0000:3b:02.1" },
      want: {
        type: "pci",
        version: "1.1.0",
        pci: { "pci-address": "0000:3b:02.1", "pf-pci-address": "0000:3b:00.0" },
        "netclaim.dev/device": {
          driver: "netclaim.dev",
          pool: "node-1",
          device: "vf-1",
          claim: { namespace: "ns1", name: "claim-a" },
          request: "req-0",
          resourceName: "vf-pool",
          deviceID: "0000:3b:02.1",
          kind: "sriov-vf",
          ifName: "ens1f0v1",
          pciAddress: "0000:3b:02.1",
          cdiDeviceIDs: ["netclaim.dev/net=u-vf-1"],
        },
      },
    },
    {
      name: "a subfunction: no spec type (its PCI address is its PF's), the record only",
      input: { device: SF, deviceId: "enp59s0f0s1" },
      want: {
        version: "1.1.0",
        "netclaim.dev/device": {
          driver: "netclaim.dev",
          pool: "node-1",
          device: "sf-1",
          claim: { namespace: "ns1", name: "claim-a" },
          request: "req-0",
          deviceID: "enp59s0f0s1",
          kind: "subfunction",
          ifName: "enp59s0f0s1",
          pciAddress: "0000:3b:00.0",
          cdiDeviceIDs: [],
        },
      },
    },
    {
      name: "a device-plugin device with its plugin's file: that file, as is",
      input: {
        device: pluginDevice("intel.com/vf", "0000:af:0a.3"),
        deviceId: "0000:af:0a.3",
        devicePluginInfo: {
          type: "pci",
          version: "1.1.0",
          pci: { "pci-address": "0000:af:0a.3", "vhost-net": "/dev/vhost-net" },
        },
      },
      want: {
        type: "pci",
        version: "1.1.0",
        pci: { "pci-address": "0000:af:0a.3", "vhost-net": "/dev/vhost-net" },
      },
    },
    {
      name: "a device-plugin device without a file, PCI ID: pci",
      input: { device: pluginDevice("intel.com/vf", "0000:af:0a.3"), deviceId: "0000:af:0a.3" },
      want: { type: "pci", version: "1.1.0", pci: { "pci-address": "0000:af:0a.3" } },
    },
    {
      name: "a device-plugin device without a file, other ID: no file",
      input: { device: pluginDevice("example.com/port", "port-7"), deviceId: "port-7" },
      want: undefined,
    },
  ])("$name", ({ input, want }) => {
    expect(deviceInfoFor(input)).toEqual(want);
  });

  it("network-status shows the spec's part of a typed file only", () => {
    const vf = deviceInfoFor({ device: VF, deviceId: "0000:3b:02.1" });
    expect(specDeviceInfo(vf)).toEqual({
      type: "pci",
      version: "1.1.0",
      pci: { "pci-address": "0000:3b:02.1", "pf-pci-address": "0000:3b:00.0" },
    });
    expect(specDeviceInfo(deviceInfoFor({ device: SF, deviceId: "x" }))).toBeUndefined();
  });
});

describe("FileDeviceInfoStore", () => {
  let dir: string;
  let store: FileDeviceInfoStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "netclaim-devinfo-"));
    store = new FileDeviceInfoStore({ dir });
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const info: DeviceInfoFile = { type: "pci", version: "1.1.0", pci: { "pci-address": "0000:3b:02.1" } };

  it("writes a CNI file read-only (0444) in a 0755 dir, replaces it, reads and removes it", async () => {
    const path = store.cniPath("ns1/net-abc_net1");
    expect(path).toBe(join(dir, "cni", "ns1-net-abc_net1"));
    await store.write(path, info);
    await store.write(path, { ...info, version: "1.0.0" });
    expect((await stat(path)).mode & 0o777).toBe(0o444);
    expect((await stat(join(dir, "cni"))).mode & 0o777).toBe(0o755);
    expect(await readFile(path, "utf8")).toBe(
      '{"type":"pci","version":"1.0.0","pci":{"pci-address":"0000:3b:02.1"}}\n',
    );
    expect(await store.read(path)).toEqual({ ...info, version: "1.0.0" });
    expect(await store.remove(path)).toBe(true);
    expect(await store.remove(path)).toBe(false);
    expect(await readdir(join(dir, "cni"))).toEqual([]);
  });

  it("reads a device plugin's file; none is undefined; a bad one throws naming it", async () => {
    expect(await store.readDevicePluginInfo("intel.com/vf", "0000:af:0a.3")).toBeUndefined();
    await mkdir(join(dir, "dp"));
    const file = join(dir, "dp", "intel.com-vf-0000:af:0a.3-device.json");
    await writeFile(file, JSON.stringify(info));
    expect(await store.readDevicePluginInfo("intel.com/vf", "0000:af:0a.3")).toEqual(info);
    await writeFile(file, "{oops");
    await expect(store.readDevicePluginInfo("intel.com/vf", "0000:af:0a.3")).rejects.toThrow(
      `device-info file ${file} is invalid: not JSON`,
    );
  });

  it.each([
    { name: "outside the dir", path: "/etc/passwd" },
    { name: "the dp dir", path: "dp/x" },
    { name: "a sub-directory of cni", path: "cni/a/b" },
    { name: "a climb out", path: "cni/../../x" },
  ])("refuses to write or remove $name", async ({ path }) => {
    const full = path.startsWith("/") ? path : join(dir, path);
    await expect(store.remove(full)).rejects.toThrow("is not a file of");
    await expect(store.write(full, info)).rejects.toThrow("is not a file of");
  });
});
