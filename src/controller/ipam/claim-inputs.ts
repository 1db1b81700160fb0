// Gathers what the decisions need for one claim, reading only what they will use: NADs only when a
// device has no `ipPool` in its config, device attributes only when such NADs exist, and each named pool
// once (parsed and laid out; the layout is cached per pool resourceVersion).
//
// Public API: `PoolCache`, `gatherNeeds`.
import { parseIpPool } from "../../api/ip-pool.ts";
import type { IPPool } from "../../api/ip-pool.ts";
import type { PoolState } from "./decide.ts";
import { claimDevices, resolveDevicePools } from "./device-pools.ts";
import type { DeviceNeed } from "./device-pools.ts";
import { buildPoolLayout } from "./pool-math.ts";
import type { NetworkReader, PoolReader } from "./ports.ts";
import { deviceRefKey } from "./types.ts";
import type { ResourceClaim } from "./types.ts";

/** Pool states by name, rebuilt only when a pool's resourceVersion changes. */
export class PoolCache {
  #states = new Map<string, { resourceVersion: string | undefined; state: PoolState }>();

  /** The state of an object read from the API server (undefined: the pool does not exist). */
  stateOf(name: string, pool: IPPool | undefined): PoolState {
    if (pool === undefined) {
      this.#states.delete(name);
      return { state: "missing", name };
    }
    const resourceVersion = pool.metadata?.resourceVersion;
    const cached = this.#states.get(name);
    if (cached !== undefined && resourceVersion !== undefined && cached.resourceVersion === resourceVersion) {
      return cached.state;
    }
    const parsed = parseIpPool(pool);
    const state: PoolState = parsed.ok
      ? { state: "ready", name, layout: buildPoolLayout(parsed.spec) }
      : { state: "invalid", name, problems: parsed.problems };
    this.#states.set(name, { resourceVersion, state });
    return state;
  }

  async read(pools: PoolReader, name: string, signal?: AbortSignal): Promise<PoolState> {
    return this.stateOf(name, await pools.getPool(name, signal));
  }
}

/** The devices that need addresses, and the state of every pool they name. */
export async function gatherNeeds(
  deps: { networks: NetworkReader; pools: PoolReader; cache: PoolCache; driverName: string },
  claim: ResourceClaim,
  signal?: AbortSignal,
): Promise<{ needs: DeviceNeed[]; pools: Map<string, PoolState> }> {
  const base = { claim, driverName: deps.driverName };
  let needs = resolveDevicePools({ ...base, nads: [], deviceResourceNames: new Map() });
  const devices = claimDevices(claim, deps.driverName);
  if (needs.length < devices.length) {
    const nads = await deps.networks.listPoolNads(claim.metadata?.namespace ?? "", signal);
    if (nads.length > 0) {
      const covered = new Set(needs.map((n) => deviceRefKey(n.ref)));
      const names = new Map<string, string>();
      for (const result of devices) {
        const key = deviceRefKey(result);
        if (covered.has(key)) continue;
        const name = await deps.networks.deviceResourceName(result, signal);
        if (name !== undefined) names.set(key, name);
      }
      needs = resolveDevicePools({ ...base, nads, deviceResourceNames: names });
    }
  }
  const pools = new Map<string, PoolState>();
  for (const name of new Set(needs.flatMap((n) => (n.pool === undefined ? [] : [n.pool])))) {
    pools.set(name, await deps.cache.read(deps.pools, name, signal));
  }
  return { needs, pools };
}
