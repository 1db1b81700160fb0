// Rebinding a PCI function (an SR-IOV VF) to another kernel driver through sysfs, the way the kernel
// documents it for driver_override (Documentation/ABI/testing/sysfs-bus-pci):
//   1. echo <driver> > <root>/bus/pci/devices/<addr>/driver_override
//   2. echo <addr>   > <root>/bus/pci/devices/<addr>/driver/unbind     (when bound)
//   3. echo <addr>   > <root>/bus/pci/drivers_probe                   (the probe honours the override)
//   4. wait until <root>/bus/pci/devices/<addr>/driver links to <driver>
//   5. clear the override (echo "" > driver_override), so later probes pick the default driver again.
// Leaving a function unbound (the driver it had before was none) is steps 2 and 5. The target
// "kernel" means the kernel's own choice for the device (what it binds without an override): from a
// userspace driver (vfio-pci and the like) or from none, clear the override, unbind, probe, and wait
// for any kernel driver; a device already on a kernel driver is left alone.
// The sysfs root is a parameter, so tests run this against fixture trees.
import { readlink, writeFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { realClock } from "../../common/clock.ts";
import type { Clock } from "../../common/clock.ts";
import { isSystemError } from "../../common/errors.ts";
import { USERSPACE_PCI_DRIVERS } from "./plan-device.ts";

/** How the prepare shell changes and restores drivers (fakes implement this in tests). */
export interface DriverBinder {
  /** The driver a PCI function is bound to now; "" when none. */
  currentDriver(pciAddress: string): Promise<string>;
  /**
   * Binds the function to `driver` ("" = leave it unbound, "kernel" = its default kernel driver);
   * nothing happens when it already is.
   */
  bind(pciAddress: string, driver: string, signal?: AbortSignal): Promise<void>;
}

export const DEFAULT_SYSFS_ROOT = "/sys";
/** The bind target "whatever kernel driver the device's own probe picks". */
export const KERNEL_DRIVER = "kernel";
/** Binding vfio-pci is quick, but a kernel driver's probe may take a moment. */
export const BIND_SETTLE_TIMEOUT_MS = 10_000;
export const BIND_POLL_INTERVAL_MS = 20;

const PCI_ADDRESS_RE = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const DRIVER_NAME_RE = /^[A-Za-z0-9_.-]+$/;

export interface SysfsDriverBinderOptions {
  sysfsRoot?: string;
  clock?: Clock;
  settleTimeoutMs?: number;
  pollIntervalMs?: number;
}

export class SysfsDriverBinder implements DriverBinder {
  private readonly root: string;
  private readonly clock: Clock;
  private readonly settleTimeoutMs: number;
  private readonly pollIntervalMs: number;

  constructor(options: SysfsDriverBinderOptions = {}) {
    this.root = options.sysfsRoot ?? DEFAULT_SYSFS_ROOT;
    this.clock = options.clock ?? realClock;
    this.settleTimeoutMs = options.settleTimeoutMs ?? BIND_SETTLE_TIMEOUT_MS;
    this.pollIntervalMs = options.pollIntervalMs ?? BIND_POLL_INTERVAL_MS;
  }

  async currentDriver(pciAddress: string): Promise<string> {
    checkAddress(pciAddress);
    try {
      return basename(await readlink(this.devicePath(pciAddress, "driver")));
    } catch (err) {
      if (isSystemError(err, "ENOENT")) return "";
      throw new Error(`read the driver of PCI device ${pciAddress}`, { cause: err });
    }
  }

  async bind(pciAddress: string, driver: string, signal?: AbortSignal): Promise<void> {
    checkAddress(pciAddress);
    if (driver !== "" && !DRIVER_NAME_RE.test(driver)) {
      throw new Error(`bind PCI device ${pciAddress}: invalid driver name ${JSON.stringify(driver)}`);
    }
    const current = await this.currentDriver(pciAddress);
    if (satisfies(current, driver)) return;
    const what = `bind PCI device ${pciAddress} to ${driver === "" ? "no driver" : driver} (was ${current || "unbound"})`;
    const override = driver === KERNEL_DRIVER ? "\n" : driver;
    try {
      if (driver !== "") await this.write(this.devicePath(pciAddress, "driver_override"), override);
      if (current !== "") await this.write(this.devicePath(pciAddress, "driver", "unbind"), pciAddress);
      if (driver !== "") await this.write(join(this.root, "bus", "pci", "drivers_probe"), pciAddress);
      await this.settle(pciAddress, driver, signal);
    } catch (err) {
      throw new Error(what, { cause: err });
    } finally {
      if (driver !== "" && driver !== KERNEL_DRIVER) await this.clearOverride(pciAddress);
    }
  }

  private devicePath(pciAddress: string, ...rest: string[]): string {
    return join(this.root, "bus", "pci", "devices", pciAddress, ...rest);
  }

  private async write(path: string, value: string): Promise<void> {
    try {
      await writeFile(path, value);
    } catch (err) {
      throw new Error(`write ${JSON.stringify(value)} to ${path}`, { cause: err });
    }
  }

  private async clearOverride(pciAddress: string): Promise<void> {
    // A newline clears driver_override; failing to clear it leaves a sticky override, not a wrong bind.
    await writeFile(this.devicePath(pciAddress, "driver_override"), "\n").catch(() => undefined);
  }

  private async settle(pciAddress: string, driver: string, signal?: AbortSignal): Promise<void> {
    const deadline = this.clock.now() + this.settleTimeoutMs;
    for (;;) {
      const current = await this.currentDriver(pciAddress);
      if (satisfies(current, driver)) return;
      if (this.clock.now() >= deadline) {
        throw new Error(`still bound to ${current || "no driver"} after ${this.settleTimeoutMs} ms`);
      }
      await this.clock.sleep(this.pollIntervalMs, signal);
    }
  }
}

/** Whether a device on `current` is where `target` wants it. */
function satisfies(current: string, target: string): boolean {
  if (target === KERNEL_DRIVER) return current !== "" && !USERSPACE_PCI_DRIVERS.includes(current);
  return current === target;
}

function checkAddress(pciAddress: string): void {
  if (!PCI_ADDRESS_RE.test(pciAddress)) {
    throw new Error(`${JSON.stringify(pciAddress)} is not a PCI address (DDDD:BB:DD.F, lower-case hex)`);
  }
}
