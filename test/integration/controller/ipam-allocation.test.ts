// IPAM against the stand-in API server through KubeClient, with the project's CRD manifests installed:
// 500 claims created at once get 500 distinct addresses per family, with two reconcilers ("controllers",
// each its own client and address book; one reading IPAllocations from an informer and the other with
// consistent lists, or both from informers as the controller runtime does) working the same claims at the
// same time, in opposite orders;
// after a settling pass every claim holds exactly one address per family and every IPAllocation object
// is shown by its claim. Addresses persist across reconciles and across a restart, with no writes.
import { afterEach, describe, expect, it } from "vitest";
import { IP_ALLOCATION_FINALIZER } from "../../../src/controller/ipam/types.ts";
import {
  allocationsOf,
  claimsOf,
  createClaims,
  NAMESPACE,
  ourCondition,
  reconcileAll,
  reconcilerFor,
  reconcilerOfKind,
  startWorld,
  statusIps,
} from "./ipam-support.ts";
import type { StoreKind, World } from "./ipam-support.ts";

const CLAIMS = 500;
let world: World | undefined;
let lifetime = new AbortController();
afterEach(async () => {
  lifetime.abort();
  lifetime = new AbortController();
  await world?.stop();
  world = undefined;
});

function distinctAcrossClaims(ips: Map<string, string[]>): { shown: number; distinct: number } {
  const all = [...ips.values()].flat();
  return { shown: all.length, distinct: new Set(all).size };
}

describe("IPAM: 500 claims at once", () => {
  it.each<{ label: string; kinds: [StoreKind, StoreKind] }>([
    { label: "cached + live", kinds: ["cached", "live"] },
    // both as the controller runtime runs them (informer-backed IPAllocations)
    { label: "cached + cached", kinds: ["cached", "cached"] },
  ])(
    "two controllers ($label) at the same time never give one address to two claims",
    { timeout: 120_000 },
    async ({ kinds }) => {
      world = await startWorld({
        "pool-a": { cidrs: ["10.20.0.0/22", "fd00:20::/64"], gateway: "10.20.0.1" },
      });
      const names = Array.from({ length: CLAIMS }, (_, i) => `claim-${String(i).padStart(3, "0")}`);
      await createClaims(
        world.kube,
        names.map((name) => ({ name, pool: "pool-a" })),
      );
      const keys = names.map((n) => `${NAMESPACE}/${n}`);

      const one = await reconcilerOfKind(kinds[0], world.server, lifetime.signal);
      const two = await reconcilerOfKind(kinds[1], world.server, lifetime.signal);
      await Promise.all([reconcileAll(one, keys), reconcileAll(two, [...keys].reverse())]);

      // They did contend: creates answered AlreadyExists (the lock held).
      const contended = world.server
        .requests()
        .filter((r) => r.resource === "ipallocations" && r.verb === "create" && r.status === 409);
      expect(contended.length).toBeGreaterThan(0);

      // Whatever the interleaving: no address shown by two claims, no object shared.
      const raced = statusIps(world.server);
      const { shown, distinct } = distinctAcrossClaims(raced);
      expect(distinct).toBe(shown);
      expect([...raced.values()].every((ips) => ips.length === 2)).toBe(true);

      // A settling pass (what the next resync or update event does): duplicates from the race go.
      await reconcileAll(one, keys);
      const settled = statusIps(world.server);
      const v4 = [...settled.values()].map((ips) => ips[0]!);
      const v6 = [...settled.values()].map((ips) => ips[1]!);
      expect(new Set(v4).size).toBe(CLAIMS);
      expect(new Set(v6).size).toBe(CLAIMS);
      expect(v4.every((ip) => /^10\.20\.[0-3]\.\d+\/22$/.test(ip) && ip !== "10.20.0.1/22")).toBe(true);
      expect(v6.every((ip) => ip.startsWith("fd00:20::") && ip.endsWith("/64"))).toBe(true);

      const allocations = allocationsOf(world.server);
      expect(allocations).toHaveLength(2 * CLAIMS);
      const byClaim = new Map(claimsOf(world.server).map((c) => [c.metadata!.uid!, c]));
      for (const a of allocations) {
        const owner = byClaim.get(a.spec.claim.uid);
        expect(owner, `owner of ${a.metadata.name}`).toBeDefined();
        expect(settled.get(owner!.metadata!.name!)).toContain(a.spec.address);
      }
      for (const c of claimsOf(world.server)) {
        expect(c.metadata?.finalizers).toContain(IP_ALLOCATION_FINALIZER);
        expect(ourCondition(c)).toMatchObject({ status: "True", reason: "Allocated" });
      }
    },
  );

  it.each<{ restarted: StoreKind }>([{ restarted: "live" }, { restarted: "cached" }])(
    "addresses persist across reconciles and a controller restart ($restarted), without writes",
    async ({ restarted: kind }) => {
      world = await startWorld({ "pool-a": { cidrs: ["10.30.0.0/24"] } });
      const names = Array.from({ length: 40 }, (_, i) => `c${i}`);
      await createClaims(
        world.kube,
        names.map((name) => ({ name, pool: "pool-a" })),
      );
      const keys = names.map((n) => `${NAMESPACE}/${n}`);
      await reconcileAll(reconcilerFor(world.server), keys);
      const before = statusIps(world.server);

      world.server.resetRequests();
      const restarted = await reconcilerOfKind(kind, world.server, lifetime.signal);
      await reconcileAll(restarted, keys);
      await restarted.resync();
      await reconcileAll(restarted, keys);
      expect(statusIps(world.server)).toEqual(before);
      const writes = world.server.requests().filter((r) => !["get", "list", "watch"].includes(r.verb));
      expect(writes.map((r) => `${r.verb} ${r.resource}/${r.subresource ?? ""}`)).toEqual([
        "patch ippools/status",
      ]);
    },
  );
});
