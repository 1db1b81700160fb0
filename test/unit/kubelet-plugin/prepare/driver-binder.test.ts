// SysfsDriverBinder against a PCI sysfs tree with a stand-in kernel that moves `driver` links when
// unbind / drivers_probe are written (test/fakes/sysfs-pci-kernel.ts).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SysfsDriverBinder } from "../../../../src/kubelet-plugin/prepare/driver-binder.ts";
import { FakePciKernel, buildMinimalPciTree } from "../../../fakes/sysfs-pci-kernel.ts";

const VF = "0000:3b:02.1";
const UNBOUND = "0000:3b:02.2";
const ON_VFIO = "0000:3b:02.3";

let dir: string;
let kernel: FakePciKernel;
let binder: SysfsDriverBinder;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "netclaim-sysfs-"));
  const root = join(dir, "sys");
  await buildMinimalPciTree(
    root,
    [{ address: VF, driver: "iavf" }, { address: UNBOUND }, { address: ON_VFIO, driver: "vfio-pci" }],
    ["iavf", "vfio-pci"],
  );
  kernel = new FakePciKernel(
    root,
    new Map([
      [VF, "iavf"],
      [ON_VFIO, "iavf"],
    ]),
  );
  await kernel.start();
  binder = new SysfsDriverBinder({ sysfsRoot: kernel.root, settleTimeoutMs: 3_000, pollIntervalMs: 5 });
});

afterEach(async () => {
  await kernel.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("SysfsDriverBinder", () => {
  it.each([
    {
      name: "kernel driver to vfio-pci",
      address: VF,
      to: "vfio-pci",
      actions: [`unbind ${VF} from iavf`, `probe ${VF} -> vfio-pci`],
    },
    {
      name: "unbound to vfio-pci",
      address: UNBOUND,
      to: "vfio-pci",
      actions: [`probe ${UNBOUND} -> vfio-pci`],
    },
    { name: "bound to no driver", address: VF, to: "", actions: [`unbind ${VF} from iavf`] },
    { name: "already on the driver: no writes", address: VF, to: "iavf", actions: [] },
    {
      name: "vfio-pci to the kernel's own driver",
      address: ON_VFIO,
      to: "kernel",
      actions: [`unbind ${ON_VFIO} from vfio-pci`, `probe ${ON_VFIO} -> iavf`],
      want: "iavf",
    },
    {
      name: "a kernel driver already counts as kernel",
      address: VF,
      to: "kernel",
      actions: [],
      want: "iavf",
    },
  ])("$name", async ({ address, to, actions, want }) => {
    await binder.bind(address, to);
    await kernel.idle();
    expect(await binder.currentDriver(address)).toBe(want ?? to);
    expect(kernel.actions).toEqual(actions);
    if (to !== "" && actions.length > 0) expect(await kernel.overrideOf(address)).toBe("\n");
    expect(kernel.actions.every((a) => !a.endsWith("ignored"))).toBe(true);
  });

  it("restores the original driver after vfio-pci", async () => {
    const original = await binder.currentDriver(VF);
    await binder.bind(VF, "vfio-pci");
    await binder.bind(VF, original);
    expect(await binder.currentDriver(VF)).toBe("iavf");
    expect(kernel.actions).toEqual([
      `unbind ${VF} from iavf`,
      `probe ${VF} -> vfio-pci`,
      `unbind ${VF} from vfio-pci`,
      `probe ${VF} -> iavf`,
    ]);
  });

  it("fails with context when the driver never takes the device", async () => {
    kernel.refuseProbe.add(UNBOUND);
    const quick = new SysfsDriverBinder({ sysfsRoot: kernel.root, settleTimeoutMs: 100, pollIntervalMs: 5 });
    await expect(quick.bind(UNBOUND, "vfio-pci")).rejects.toThrow(
      `bind PCI device ${UNBOUND} to vfio-pci (was unbound)`,
    );
    expect(await kernel.overrideOf(UNBOUND)).toBe("\n");
  });

  it.each([
    { name: "upper-case address", address: "0000:3B:02.1", driver: "vfio-pci", want: /is not a PCI address/ },
    { name: "path in the address", address: "../../x", driver: "vfio-pci", want: /is not a PCI address/ },
    { name: "path in the driver", address: VF, driver: "../vfio", want: /invalid driver name/ },
  ])("rejects $name", async ({ address, driver, want }) => {
    await expect(binder.bind(address, driver)).rejects.toThrow(want);
  });

  it("reports an absent device as unbound", async () => {
    expect(await binder.currentDriver("0000:00:1f.7")).toBe("");
  });
});
