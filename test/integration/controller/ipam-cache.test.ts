// CachedAllocationStore against the stand-in API server: lists come from the informer, this process's
// own creates and deletes show at once even when the informer has not seen them (it is stopped here to
// make it lag for good), others' writes show once the informer does, and the overlay ends after its TTL.
import { afterEach, describe, expect, it } from "vitest";
import {
  allocationName,
  CLAIM_NAMESPACE_LABEL,
  CLAIM_UID_LABEL,
  parseIp,
} from "../../../src/api/ip-address.ts";
import type { IPAllocation } from "../../../src/api/ip-address.ts";
import { CachedAllocationStore, MUTATION_TTL_MS } from "../../../src/controller/ipam/allocation-cache.ts";
import { IP_ALLOCATIONS } from "../../../src/controller/ipam/ipam-k8s.ts";
import { FakeClock } from "../../fakes/clock.ts";
import { clientFor, DRIVER, startWorld } from "./ipam-support.ts";
import type { World } from "./ipam-support.ts";

let world: World | undefined;
let store: CachedAllocationStore | undefined;
afterEach(async () => {
  await store?.stop();
  await world?.stop();
  [store, world] = [undefined, undefined];
});

function allocation(ip: string, uid: string): IPAllocation {
  return {
    apiVersion: "netclaim.dev/v1alpha1",
    kind: "IPAllocation",
    metadata: {
      name: allocationName("pool-a", parseIp(ip)!),
      labels: { [CLAIM_UID_LABEL]: uid, [CLAIM_NAMESPACE_LABEL]: "team-a" },
    },
    spec: {
      pool: "pool-a",
      address: `${ip}/24`,
      claim: { namespace: "team-a", name: `claim-${uid}`, uid },
      device: { driver: DRIVER, pool: "node-1", device: "vf0" },
    },
  };
}

const addresses = (list: IPAllocation[]) => list.map((a) => a.spec.address).sort();

async function eventually(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("condition not reached");
}

describe("CachedAllocationStore", () => {
  it("reads from the informer, and sees others' writes once it does", async () => {
    world = await startWorld({});
    const other = clientFor(world.server).resource<IPAllocation>(IP_ALLOCATIONS);
    await other.create(allocation("10.0.0.1", "u1"));
    store = new CachedAllocationStore({ kube: clientFor(world.server) });
    store.start();
    await store.waitForSync();
    expect(addresses(await store.listByClaimUid("u1"))).toEqual(["10.0.0.1/24"]);
    world.server.resetRequests();
    await other.create(allocation("10.0.0.2", "u1"));
    await eventually(async () => (await store!.listByClaimUid("u1")).length === 2);
    expect(addresses(await store.listByClaimNamespace("team-a"))).toEqual(["10.0.0.1/24", "10.0.0.2/24"]);
    expect(world.server.requestCount({ verb: "list", resource: "ipallocations" })).toBe(0);
  });

  it("shows its own writes at once, however far the informer lags, until the TTL", async () => {
    world = await startWorld({});
    const other = clientFor(world.server).resource<IPAllocation>(IP_ALLOCATIONS);
    const existing = await other.create(allocation("10.0.0.1", "u1"));
    const clock = new FakeClock();
    store = new CachedAllocationStore({ kube: clientFor(world.server), clock });
    store.start();
    await store.waitForSync();
    await store.stop(); // from here on the cache never changes

    const mine = await store.create(allocation("10.0.0.5", "u1"));
    expect(mine?.metadata.uid).toBeDefined();
    expect(await store.create(allocation("10.0.0.5", "u2"))).toBeUndefined(); // the lock: AlreadyExists
    expect(await store.delete(existing.metadata.name, existing.metadata.uid)).toBe(true);
    await other.create(allocation("10.0.0.9", "u1")); // someone else's: unseen

    expect(addresses(await store.listByClaimUid("u1"))).toEqual(["10.0.0.5/24"]);
    expect(addresses(await store.listAll())).toEqual(["10.0.0.5/24"]);
    expect((await store.get(allocation("10.0.0.9", "u1").metadata.name))?.spec.address).toBe("10.0.0.9/24");

    clock.advance(MUTATION_TTL_MS + 1);
    expect(addresses(await store.listByClaimUid("u1"))).toEqual(["10.0.0.1/24"]); // the stale cache alone
  });
});
