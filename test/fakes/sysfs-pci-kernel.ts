// A stand-in for the kernel's side of PCI driver binding on a sysfs fixture tree: it watches
// `bus/pci/drivers_probe` and every `bus/pci/drivers/<name>/unbind` and changes the tree the way the
// kernel would:
//   unbind   removes `<dev>/driver` and `bus/pci/drivers/<name>/<addr>`; the device's netdevs
//            (`<dev>/net/`) go away with a network driver (parked as `<dev>/.net-unbound`);
//   probe    binds the driver named in `<dev>/driver_override`, or without one the device's default
//            driver (given to the constructor), if that driver's directory exists; a network driver
//            brings the parked netdevs back.
// It works on test/fixtures/sysfs trees (devices under bridges, links relative) and on the minimal
// tree `buildMinimalPciTree` makes. Used by the driver-binder unit tests and the kubelet-plugin
// integration tests, where the plugin runs in a child process (the watch works across processes).
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import {
  mkdir,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  rm,
  symlink,
  writeFile,
} from "node:fs/promises";
import { basename, join, relative } from "node:path";

const USERSPACE_DRIVERS = new Set(["vfio-pci", "uio_pci_generic", "igb_uio"]);
const PARKED_NET = ".net-unbound";

export interface FakePciDevice {
  address: string;
  /** Bound driver; absent = unbound. */
  driver?: string;
}

/**
 * A minimal tree: `devices/pci0000:00/<addr>`, `bus/pci/devices/<addr>` links, driver directories,
 * `driver` links for bound devices.
 */
export async function buildMinimalPciTree(
  root: string,
  devices: readonly FakePciDevice[],
  drivers: readonly string[],
): Promise<void> {
  await mkdir(join(root, "bus", "pci", "devices"), { recursive: true });
  for (const name of drivers) await mkdir(join(root, "bus", "pci", "drivers", name), { recursive: true });
  for (const device of devices) {
    const dir = join(root, "devices", "pci0000:00", device.address);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "driver_override"), "(null)\n");
    await symlink(
      relative(join(root, "bus", "pci", "devices"), dir),
      join(root, "bus", "pci", "devices", device.address),
    );
    if (device.driver !== undefined) {
      await symlink(relative(dir, join(root, "bus", "pci", "drivers", device.driver)), join(dir, "driver"));
    }
  }
}

export class FakePciKernel {
  readonly root: string;
  /** What the kernel did, e.g. "unbind 0000:3b:02.1 from iavf", "probe 0000:3b:02.1 -> vfio-pci". */
  readonly actions: string[] = [];
  /** Addresses whose probe the kernel ignores (a driver that refuses the device). */
  readonly refuseProbe = new Set<string>();
  /** Probes of these addresses wait until `releaseProbes()` (to stop a prepare midway). */
  readonly holdProbe = new Set<string>();
  private readonly defaults: ReadonlyMap<string, string>;
  private readonly watchers: FSWatcher[] = [];
  private queue: Promise<void> = Promise.resolve();
  private held: (() => void)[] = [];
  private readonly heldWaiters: (() => void)[] = [];

  /** `defaultDrivers`: what a probe without driver_override binds, per PCI address. */
  constructor(root: string, defaultDrivers: ReadonlyMap<string, string> = new Map()) {
    this.root = root;
    this.defaults = defaultDrivers;
  }

  /** Creates the write-only attribute files as regular files and starts watching them. */
  async start(): Promise<void> {
    const pci = join(this.root, "bus", "pci");
    await writeFile(join(pci, "drivers_probe"), "");
    this.watchFile(join(pci, "drivers_probe"), (address) => this.probe(address));
    for (const name of await readdir(join(pci, "drivers"))) {
      await writeFile(join(pci, "drivers", name, "unbind"), "");
      this.watchFile(join(pci, "drivers", name, "unbind"), (address) => this.unbind(address, name));
    }
  }

  async stop(): Promise<void> {
    for (const w of this.watchers.splice(0)) w.close();
    this.releaseProbes();
    await this.queue;
  }

  /** Lets held probes go on. */
  releaseProbes(): void {
    this.holdProbe.clear();
    for (const release of this.held.splice(0)) release();
  }

  /** Resolves once a probe is being held. */
  async probeHeld(): Promise<void> {
    if (this.held.length > 0) return;
    await new Promise<void>((resolve) => this.heldWaiters.push(resolve));
  }

  /** The driver a device is bound to, "" when none. */
  async driverOf(address: string): Promise<string> {
    try {
      return basename(await readlink(join(this.root, "bus", "pci", "devices", address, "driver")));
    } catch {
      return "";
    }
  }

  async overrideOf(address: string): Promise<string> {
    return readFile(join(this.root, "bus", "pci", "devices", address, "driver_override"), "utf8");
  }

  /** Resolves once every write seen so far has been acted on. */
  async idle(): Promise<void> {
    await this.queue;
  }

  private watchFile(path: string, act: (address: string) => Promise<void>): void {
    const watcher = watch(path, () => {
      this.queue = this.queue.then(() => this.consume(path, act)).catch(() => undefined);
    });
    this.watchers.push(watcher);
  }

  /** Reads what was written (a write-only attribute in the kernel), empties it, acts on it. */
  private async consume(path: string, act: (address: string) => Promise<void>): Promise<void> {
    const text = (await readFile(path, "utf8")).trim();
    if (text === "") return;
    await writeFile(path, "");
    await act(text);
  }

  private async deviceDir(address: string): Promise<string> {
    return realpath(join(this.root, "bus", "pci", "devices", address));
  }

  private async probe(address: string): Promise<void> {
    if (this.holdProbe.has(address)) {
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        for (const wake of this.heldWaiters.splice(0)) wake();
      });
    }
    const override = (await this.overrideOf(address).catch(() => "")).trim();
    const chosen = override === "" || override === "(null)" ? this.defaults.get(address) : override;
    const driverDir = join(this.root, "bus", "pci", "drivers", chosen ?? "-");
    const exists =
      chosen !== undefined &&
      (await readdir(driverDir).then(
        () => true,
        () => false,
      ));
    if (this.refuseProbe.has(address) || !exists || chosen === undefined) {
      this.actions.push(`probe ${address} ignored`);
      return;
    }
    if ((await this.driverOf(address)) !== "") return;
    const dir = await this.deviceDir(address);
    await symlink(relative(dir, driverDir), join(dir, "driver"));
    await symlink(relative(driverDir, dir), join(driverDir, address)).catch(() => undefined);
    if (!USERSPACE_DRIVERS.has(chosen))
      await rename(join(dir, PARKED_NET), join(dir, "net")).catch(() => undefined);
    this.actions.push(`probe ${address} -> ${chosen}`);
  }

  private async unbind(address: string, driver: string): Promise<void> {
    if ((await this.driverOf(address)) !== driver) return;
    const dir = await this.deviceDir(address);
    await rm(join(dir, "driver"), { force: true });
    await rm(join(this.root, "bus", "pci", "drivers", driver, address), { force: true });
    await rename(join(dir, "net"), join(dir, PARKED_NET)).catch(() => undefined);
    this.actions.push(`unbind ${address} from ${driver}`);
  }
}
