// An exhausted pool against the stand-in API server: the claims that found no address carry
// AddressesAllocated=False reason PoolExhausted and exactly one Warning Event each (not one per pass),
// every other claim keeps its address, the pool's status says Exhausted, and once a claim is deleted the
// claims waiting on the pool are told and one of them gets the freed address.
import { afterEach, describe, expect, it } from "vitest";
import {
  claimsOf,
  createClaims,
  NAMESPACE,
  ourCondition,
  reconcileAll,
  reconcilerFor,
  startWorld,
  statusIps,
  deleteClaim,
} from "./ipam-support.ts";
import type { World } from "./ipam-support.ts";

let world: World | undefined;
afterEach(async () => {
  await world?.stop();
  world = undefined;
});

interface EventObject {
  involvedObject?: { kind?: string; name?: string; uid?: string };
  reason?: string;
  type?: string;
  message?: string;
  source?: { component?: string };
}

function events(w: World): EventObject[] {
  return w.server.listObjects({ group: "", resource: "events" }, NAMESPACE) as EventObject[];
}

describe("IPAM: an exhausted pool", () => {
  it("gives a condition and one Event per waiting claim, and nothing else breaks", async () => {
    world = await startWorld({ small: { cidrs: ["10.50.0.0/30"] }, other: { cidrs: ["10.60.0.0/24"] } });
    const names = ["a", "b", "c", "d", "e"];
    await createClaims(world.kube, [
      ...names.map((name) => ({ name, pool: "small" })),
      { name: "elsewhere", pool: "other" },
    ]);
    const keys = [...names, "elsewhere"].map((n) => `${NAMESPACE}/${n}`);
    const ipam = reconcilerFor(world.server);
    for (const key of keys) await ipam.reconcileClaim(key);
    await reconcileAll(ipam, keys); // a second pass: no new Events
    await ipam.resync();

    const byName = new Map(claimsOf(world.server).map((c) => [c.metadata!.name!, c]));
    const ips = statusIps(world.server);
    expect(names.map((n) => ips.get(n))).toEqual([["10.50.0.1/30"], ["10.50.0.2/30"], [], [], []]);
    expect(ips.get("elsewhere")).toEqual(["10.60.0.1/24"]);
    for (const n of ["c", "d", "e"]) {
      expect(ourCondition(byName.get(n)!)).toMatchObject({
        status: "False",
        reason: "PoolExhausted",
        message: "IPPool small has no free IPv4 address",
      });
    }
    expect(ourCondition(byName.get("elsewhere")!)).toMatchObject({ status: "True" });

    const warnings = events(world).filter((e) => e.reason === "PoolExhausted");
    expect(warnings.map((e) => e.involvedObject?.name).sort()).toEqual(["c", "d", "e"]);
    expect(warnings[0]).toMatchObject({
      type: "Warning",
      involvedObject: {
        kind: "ResourceClaim",
        uid: byName.get(warnings[0]!.involvedObject!.name!)!.metadata!.uid,
      },
      source: { component: "netclaim-controller" },
    });

    const pool = world.server.getObject({ group: "netclaim.dev", resource: "ippools", name: "small" }) as {
      status?: { free?: string; conditions?: { type: string; status: string }[] };
    };
    expect(pool.status?.free).toBe("0");
    expect(pool.status?.conditions?.find((c) => c.type === "Exhausted")?.status).toBe("True");
    expect(ipam.claimsWaitingFor("small")).toEqual(["team-a/c", "team-a/d", "team-a/e"]);

    // A claim goes: the freed address goes to a waiting claim on its next pass.
    await deleteClaim(world.kube, "a");
    const released = await ipam.reconcileClaim(`${NAMESPACE}/a`);
    expect(released.freedPools).toEqual(["small"]);
    for (const key of ipam.claimsWaitingFor("small")) await ipam.reconcileClaim(key);
    const after = statusIps(world.server);
    expect(after.get("c")).toEqual(["10.50.0.1/30"]);
    expect(ipam.claimsWaitingFor("small")).toEqual(["team-a/d", "team-a/e"]);
  });
});
