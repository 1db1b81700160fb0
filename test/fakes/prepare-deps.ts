// Hand-written fakes for the prepare shell's ports (src/kubelet-plugin/prepare/ports.ts and the
// checkpoint's Checkpointer), and builders for the ResourceClaims and node devices the tests use.
// Each records what it received and answers as scripted.
import type { Checkpoint } from "../../src/api/checkpoint.ts";
import { ApiError } from "../../src/k8s/api-error.ts";
import type { CheckpointReadResult } from "../../src/kubelet-plugin/checkpoint/checkpoint-store.ts";
import type { DriverBinder } from "../../src/kubelet-plugin/prepare/driver-binder.ts";
import { deviceKey } from "../../src/kubelet-plugin/prepare/plan-types.ts";
import type { NodeDevice, ResourceClaim } from "../../src/kubelet-plugin/prepare/plan-types.ts";
import type { ClaimReader, NodeDeviceSource } from "../../src/kubelet-plugin/prepare/ports.ts";
import type { RecoverableCheckpointer } from "../../src/kubelet-plugin/prepare/recovery.ts";

export const DRIVER = "netclaim.dev";
export const POOL = "node-a";

export class MemoryCheckpointer implements RecoverableCheckpointer {
  readResult: CheckpointReadResult = { status: "missing" };
  readonly writes: Checkpoint[] = [];
  preserved = 0;
  /** Write attempts (1-based, counting failed ones) that fail. */
  readonly failAttempts = new Set<number>();
  attempts = 0;
  /** Each write waits for this before it completes (group-commit tests). */
  gate: Promise<void> | undefined;

  read(): Promise<CheckpointReadResult> {
    return Promise.resolve(this.readResult);
  }

  async write(checkpoint: Checkpoint): Promise<void> {
    await this.gate;
    this.attempts++;
    if (this.failAttempts.has(this.attempts)) throw new Error("disk full");
    this.writes.push(structuredClone(checkpoint));
  }

  preserveCorrupt(): Promise<string | undefined> {
    this.preserved++;
    return Promise.resolve("/state/checkpoint.json.corrupt");
  }

  /** The last written checkpoint. */
  get last(): Checkpoint | undefined {
    return this.writes.at(-1);
  }
}

export class FakeClaimReader implements ClaimReader {
  readonly claims = new Map<string, ResourceClaim>();
  readonly gets: string[] = [];
  lists = 0;
  /** Errors thrown by GET, by "ns/name". */
  readonly failures = new Map<string, Error>();

  add(claim: ResourceClaim): void {
    this.claims.set(`${claim.metadata?.namespace ?? ""}/${claim.metadata?.name ?? ""}`, claim);
  }

  getClaim(namespace: string, name: string): Promise<ResourceClaim> {
    const key = `${namespace}/${name}`;
    this.gets.push(key);
    const failure = this.failures.get(key);
    if (failure !== undefined) return Promise.reject(failure);
    const claim = this.claims.get(key);
    if (claim === undefined) {
      const status = {
        kind: "Status",
        code: 404,
        reason: "NotFound",
        message: `resourceclaims "${name}" not found`,
      };
      return Promise.reject(ApiError.fromResponse(404, JSON.stringify(status), `GET ${key}`));
    }
    return Promise.resolve(structuredClone(claim));
  }

  listClaims(): Promise<ResourceClaim[]> {
    this.lists++;
    return Promise.resolve([...this.claims.values()].map((c) => structuredClone(c)));
  }
}

export class StaticDeviceSource implements NodeDeviceSource {
  current: Map<string, NodeDevice>;
  /** What the next rescan finds (default: the current devices). */
  afterRescan: Map<string, NodeDevice> | undefined;
  rescans = 0;

  constructor(devices: readonly NodeDevice[]) {
    this.current = deviceMap(devices);
  }

  devices(): ReadonlyMap<string, NodeDevice> {
    return this.current;
  }

  rescan(): Promise<ReadonlyMap<string, NodeDevice>> {
    this.rescans++;
    if (this.afterRescan !== undefined) this.current = this.afterRescan;
    return Promise.resolve(this.current);
  }
}

export function deviceMap(devices: readonly NodeDevice[]): Map<string, NodeDevice> {
  return new Map(devices.map((d) => [deviceKey(POOL, d.name), d]));
}

/** Drivers per PCI address; bind() moves them (and records it); scripted failures per address. */
export class RecordingBinder implements DriverBinder {
  readonly drivers = new Map<string, string>();
  readonly binds: string[] = [];
  readonly failing = new Set<string>();
  /** Called after each bind that changed a driver. */
  onBind: ((pciAddress: string, driver: string) => void) | undefined;

  currentDriver(pciAddress: string): Promise<string> {
    return Promise.resolve(this.drivers.get(pciAddress) ?? "");
  }

  bind(pciAddress: string, driver: string): Promise<void> {
    const current = this.drivers.get(pciAddress) ?? "";
    const target = driver === "kernel" ? "iavf" : driver;
    if (current === target) return Promise.resolve();
    if (this.failing.has(pciAddress)) return Promise.reject(new Error(`bind ${pciAddress}: device busy`));
    this.binds.push(`${pciAddress} ${current || "-"} -> ${target || "-"}`);
    this.drivers.set(pciAddress, target);
    this.onBind?.(pciAddress, target);
    return Promise.resolve();
  }
}

/** A VF of PF ens1f0 at 0000:03:02.<index>, as discovery reports it. */
export function vf(index: number, driver = "iavf"): NodeDevice {
  const pciAddress = `0000:03:02.${index}`;
  return {
    name: `pci-0000-03-02-${index}`,
    kind: "sriov-vf",
    pciAddress,
    ...(driver === "iavf" ? { ifName: `ens1f0v${index}` } : {}),
    pfName: "ens1f0",
    vfIndex: index,
    driver,
    iommuGroup: 41 + index,
    resourceName: "sf-pool-1",
  };
}

export interface ClaimSpec {
  namespace?: string;
  name: string;
  uid: string;
  /** request → device name */
  results: Record<string, string>;
  /** NetworkDeviceConfig parameters from the claim. */
  config?: Record<string, unknown>;
  pods?: string[];
}

/** An allocated resource.k8s.io/v1 ResourceClaim for our driver. */
export function allocatedClaim(spec: ClaimSpec): ResourceClaim {
  const config =
    spec.config === undefined
      ? []
      : [
          {
            source: "FromClaim",
            requests: [],
            opaque: {
              driver: DRIVER,
              parameters: {
                apiVersion: "netclaim.dev/v1alpha1",
                kind: "NetworkDeviceConfig",
                ...spec.config,
              },
            },
          },
        ];
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: spec.namespace ?? "default", name: spec.name, uid: spec.uid },
    status: {
      allocation: {
        devices: {
          results: Object.entries(spec.results).map(([request, device]) => ({
            request,
            driver: DRIVER,
            pool: POOL,
            device,
          })),
          config,
        },
      },
      reservedFor: (spec.pods ?? []).map((uid, i) => ({ resource: "pods", name: `pod-${i}`, uid })),
    },
  };
}
