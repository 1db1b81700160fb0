// What the CNI benchmarks share: the demo-like pod (cluster network + two secondaries), the floor run of
// the same delegates by the runtime stand-in without netclaim, timing and quantiles.
import type { JsonObject } from "../../test/harness/runtime/index.ts";
import { clusterConflist } from "../../test/integration/cni/support/standalone-world.ts";
import type { World } from "../../test/integration/cni/support/standalone-world.ts";

export interface Sample {
  add: number;
  del: number;
}

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;

export const fmt = (ms: number): string => ms.toFixed(1).padStart(7);

export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** The two secondary networks of the benchmark pod: macvlan over the fake host's eth1, and ptp. */
export function secondary(w: World): { mv: JsonObject; side: JsonObject } {
  const ipam = (subnet: string) => ({ type: "host-local", ranges: [[{ subnet }]], dataDir: w.ipamDir });
  return {
    mv: {
      cniVersion: "1.0.0",
      name: "mv",
      type: "macvlan",
      master: "eth1",
      mode: "bridge",
      ipam: ipam("10.242.0.0/24"),
    },
    side: { cniVersion: "1.0.0", name: "side", type: "ptp", ipam: ipam("10.244.0.0/24") },
  };
}

/** The floor: the runtime stand-in runs the same three networks' plugins itself (ADDs, then DELs). */
export async function floorRun(w: World): Promise<Sample> {
  const { mv, side } = secondary(w);
  const networks: [JsonObject, string][] = [
    [clusterConflist(w.ipamDir), "eth0"],
    [mv, "net1"],
    [side, "net2"],
  ];
  const sandbox = await w.newPod("ns1");
  const t0 = now();
  for (const [config, ifName] of networks) await w.h.runtime.setUpPodNetwork(sandbox, config, { ifName });
  const t1 = now();
  for (const [config, ifName] of [...networks].reverse()) {
    await w.h.runtime.tearDownPodNetwork(sandbox, config, { ifName });
  }
  const t2 = now();
  await w.h.runtime.removePodSandbox(sandbox);
  return { add: t1 - t0, del: t2 - t1 };
}
