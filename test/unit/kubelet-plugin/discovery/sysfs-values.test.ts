// Pure readings of sysfs values and paths, device names, and the reader's path rules.
import { describe, expect, it } from "vitest";
import {
  netdevDeviceName,
  pciDeviceName,
  subfunctionDeviceName,
} from "../../../../src/kubelet-plugin/discovery/names.ts";
import {
  createSysfsReader,
  resolveLinkTarget,
} from "../../../../src/kubelet-plugin/discovery/sysfs-reader.ts";
import {
  auxiliaryDeviceType,
  isRepresentorPortName,
  linkTypeName,
  nearestPciAddress,
  parseHexId,
  parseNumaNode,
  pcieRootOf,
} from "../../../../src/kubelet-plugin/discovery/sysfs-values.ts";

describe("pcieRootOf (deviceattribute's resolvePCIeRoot rule)", () => {
  const cases: { path: string; address: string; want: string | undefined }[] = [
    { path: "devices/pci0000:00/0000:00:02.0/0000:03:00.0", address: "0000:03:00.0", want: "pci0000:00" },
    { path: "devices/pci0000:80/0000:80:01.0/0000:81:00.2", address: "0000:81:00.2", want: "pci0000:80" },
    { path: "devices/pci0001:40/0001:41:00.0", address: "0001:41:00.0", want: "pci0001:40" },
    // a device on a root bus sits directly below its root complex
    { path: "devices/pci0000:00/0000:00:03.0", address: "0000:00:03.0", want: "pci0000:00" },
    // not under devices/pci*, or not ending in the address: no PCIe root
    { path: "devices/platform/soc/0000:00:03.0", address: "0000:00:03.0", want: undefined },
    { path: "devices/pci0000:00/0000:00:02.0/0000:03:00.0", address: "0000:03:00.1", want: undefined },
  ];
  for (const c of cases) {
    it(`${c.path} → ${String(c.want)}`, () => expect(pcieRootOf(c.path, c.address)).toBe(c.want));
  }
});

describe("sysfs values", () => {
  it.each([
    ["0x8086\n", "8086"],
    ["0x15B3\n", "15b3"],
    ["0x1af4", "1af4"],
    ["8086", undefined],
    ["", undefined],
  ])("parseHexId(%j) = %j", (text, want) => expect(parseHexId(text)).toBe(want));

  it.each([
    ["0\n", 0],
    ["1\n", 1],
    ["-1\n", null],
    ["x\n", undefined],
  ])("parseNumaNode(%j) = %j", (text, want) => expect(parseNumaNode(text)).toBe(want));

  it.each([
    [1, "ether"],
    [32, "infiniband"],
    [772, "loopback"],
    [65534, "none"],
    [801, "unknown801"],
  ])("linkTypeName(%d) = %s", (n, want) => expect(linkTypeName(n)).toBe(want));

  it.each([
    ["devices/pci0000:00/0000:00:03.0/0000:06:00.0/mlx5_core.sf.4", "0000:06:00.0"],
    ["devices/pci0000:00/0000:00:03.0/virtio2", "0000:00:03.0"],
    ["devices/virtual/net", undefined],
  ])("nearestPciAddress(%s) = %s", (path, want) => expect(nearestPciAddress(path)).toBe(want));

  it.each([
    ["mlx5_core.sf.4", "sf"],
    ["mlx5_core.eth.0", "eth"],
    ["mlx5_core.eth-rep.0", "eth-rep"],
    ["sf", undefined],
  ])("auxiliaryDeviceType(%s) = %s", (name, want) => expect(auxiliaryDeviceType(name)).toBe(want));

  it.each([
    ["pf0vf3", true],
    ["pf1sf88", true],
    ["c1pf0vf2", true],
    ["p0", false],
    [null, false],
  ])("isRepresentorPortName(%s) = %s", (name, want) => expect(isRepresentorPortName(name)).toBe(want));
});

describe("device names are DNS labels", () => {
  it.each([
    [pciDeviceName("0000:03:02.1"), "pci-0000-03-02-1"],
    [pciDeviceName("0000:AF:00.7"), "pci-0000-af-00-7"],
    [subfunctionDeviceName("0000:06:00.0", 88), "sf-0000-06-00-0-88"],
    [netdevDeviceName("veth0"), "veth0"],
    [netdevDeviceName("eth0"), "eth0"],
    [netdevDeviceName("Veth_X"), "net-kzsxi2c7la"],
    [netdevDeviceName("-lead"), "net-fvwgkyle"],
  ])("%s = %s", (got, want) => expect(got).toBe(want));

  it("the base32 form of any 15-byte interface name stays a DNS label", () => {
    const name = netdevDeviceName("ABCDEFGHIJKLMNO");
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(name.length).toBeLessThanOrEqual(63);
  });
});

describe("sysfs reader paths", () => {
  it.each([
    [
      "bus/pci/devices/0000:03:00.0",
      "../../../devices/pci0000:00/0000:00:02.0/0000:03:00.0",
      "devices/pci0000:00/0000:00:02.0/0000:03:00.0",
    ],
    ["class/net/eth0", "../../devices/virtual/net/eth0", "devices/virtual/net/eth0"],
    [
      "devices/pci0000:00/0000:00:02.0/0000:03:02.0/physfn",
      "../0000:03:00.0",
      "devices/pci0000:00/0000:00:02.0/0000:03:00.0",
    ],
    ["class/net/x", "/devices/virtual/net/x", "devices/virtual/net/x"],
  ])("link %s → %s resolves to %s", (linkPath, target, want) => {
    expect(resolveLinkTarget(linkPath, target)).toBe(want);
  });

  it("refuses a link target that climbs out of the root", () => {
    expect(() => resolveLinkTarget("class/net/x", "../../../etc/passwd")).toThrow(/outside the sysfs root/);
  });

  it("refuses paths that climb out of the root", async () => {
    const reader = createSysfsReader("/nonexistent-root");
    await expect(reader.readText("../etc/passwd")).rejects.toThrow(/outside the sysfs root/);
  });
});
