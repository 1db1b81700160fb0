// The IPAM shell over fake ports: the order of writes (finalizer before the first create, status after,
// finalizer removal after the last delete), steady state without writes, exhaustion (condition, one
// Event, no finalizer since nothing was created), a crash between create and status leaving nothing
// behind, collisions with a stale address book, adopting what a racing controller created for the same
// device, claims that vanished, the resync, and pools' statuses.
import { describe, expect, it } from "vitest";
import { IpamReconciler } from "../../../../src/controller/ipam/ipam-reconciler.ts";
import { IP_ALLOCATION_FINALIZER } from "../../../../src/controller/ipam/types.ts";
import { FakeClock } from "../../../fakes/clock.ts";
import { FakeCluster } from "./fakes.ts";
import { allocation, claim, poolObject } from "./support.ts";

const KEY = "team-a/net-a";
const V4 = { cidrs: ["10.10.0.0/29"] }; // .1 - .6
const DUAL = { cidrs: ["10.10.0.0/29", "fd00:10::/64"] };

function setup(spec: unknown = DUAL) {
  const cluster = new FakeCluster();
  cluster.pools.set("pool-a", poolObject("pool-a", spec));
  const clock = new FakeClock();
  const reconciler = () => new IpamReconciler({ ...cluster.ports(), clock });
  return { cluster, clock, ipam: reconciler(), restart: reconciler };
}

function ipsOf(cluster: FakeCluster, key = KEY): string[] {
  return cluster.claims.get(key)?.status?.devices?.flatMap((d) => d.networkData?.ips ?? []) ?? [];
}

function condition(cluster: FakeCluster, key = KEY) {
  return cluster.claims.get(key)?.status?.devices?.[0]?.conditions?.[0];
}

describe("IpamReconciler.reconcileClaim", () => {
  it("allocates: finalizer, then creates, then status", async () => {
    const { cluster, ipam } = setup();
    cluster.addClaim(claim({ pool: "pool-a" }));
    const result = await ipam.reconcileClaim(KEY);
    expect(cluster.writes()).toEqual([
      `finalizer+ ${KEY}`,
      "create pool-a-v4-10-10-0-1",
      "create pool-a-v6-fd00-10-0-0-0-0-0-1",
      `status ${KEY}`,
    ]);
    expect(ipsOf(cluster)).toEqual(["10.10.0.1/29", "fd00:10::1/64"]);
    expect(condition(cluster)).toMatchObject({
      type: "AddressesAllocated",
      status: "True",
      reason: "Allocated",
    });
    expect(result).toMatchObject({ action: "allocated", created: 2, released: 0, waitingOn: [] });
  });

  it("keeps the addresses on later passes, without writes", async () => {
    const { cluster, ipam, restart } = setup();
    cluster.addClaim(claim({ pool: "pool-a" }));
    await ipam.reconcileClaim(KEY);
    cluster.log = [];
    await ipam.reconcileClaim(KEY);
    await restart().reconcileClaim(KEY);
    expect(cluster.writes()).toEqual([]);
    expect(ipsOf(cluster)).toEqual(["10.10.0.1/29", "fd00:10::1/64"]);
  });

  it("next claims get the next addresses", async () => {
    const { cluster, ipam } = setup(V4);
    for (const name of ["a", "b", "c"]) cluster.addClaim(claim({ name, uid: `uid-${name}`, pool: "pool-a" }));
    for (const name of ["a", "b", "c"]) await ipam.reconcileClaim(`team-a/${name}`);
    expect(["a", "b", "c"].map((n) => ipsOf(cluster, `team-a/${n}`))).toEqual([
      ["10.10.0.1/29"],
      ["10.10.0.2/29"],
      ["10.10.0.3/29"],
    ]);
  });

  it("exhausted: condition and one Event, no finalizer, other claims unaffected", async () => {
    const { cluster, ipam } = setup({ cidrs: ["10.10.0.0/31"] });
    for (const name of ["a", "b", "c"]) cluster.addClaim(claim({ name, uid: `uid-${name}`, pool: "pool-a" }));
    for (const name of ["a", "b", "c"]) await ipam.reconcileClaim(`team-a/${name}`);
    const result = await ipam.reconcileClaim("team-a/c");
    expect(condition(cluster, "team-a/c")).toMatchObject({
      status: "False",
      reason: "PoolExhausted",
      message: "IPPool pool-a has no free IPv4 address",
    });
    expect(cluster.events.map((e) => `${e.claim.name} ${e.event.reason}`)).toEqual(["c PoolExhausted"]);
    expect(cluster.claims.get("team-a/c")?.metadata?.finalizers).toBeUndefined();
    expect(result.waitingOn).toEqual(["pool-a"]);
    expect(ipam.claimsWaitingFor("pool-a")).toEqual(["team-a/c"]);
    expect(ipsOf(cluster, "team-a/a")).toEqual(["10.10.0.0/31"]);
    expect(ipsOf(cluster, "team-a/b")).toEqual(["10.10.0.1/31"]);
  });

  it("a freed address goes to the waiting claim on its next pass", async () => {
    const { cluster, ipam } = setup({ cidrs: ["10.10.0.0/32"] });
    cluster.addClaim(claim({ name: "a", uid: "uid-a", pool: "pool-a" }));
    cluster.addClaim(claim({ name: "b", uid: "uid-b", pool: "pool-a" }));
    await ipam.reconcileClaim("team-a/a");
    await ipam.reconcileClaim("team-a/b");
    const a = cluster.claims.get("team-a/a")!;
    a.metadata!.deletionTimestamp = "2026-01-02T03:04:05Z";
    delete a.status!.allocation; // kube's resourceclaim controller deallocates a deleted, unreserved claim
    const released = await ipam.reconcileClaim("team-a/a");
    expect(released).toMatchObject({ action: "released", released: 1, freedPools: ["pool-a"] });
    for (const key of ipam.claimsWaitingFor("pool-a")) await ipam.reconcileClaim(key);
    expect(ipsOf(cluster, "team-a/b")).toEqual(["10.10.0.0/32"]);
    expect(condition(cluster, "team-a/b")).toMatchObject({ status: "True" });
  });

  it("deleting: holds while still allocated (its pods may use them); once deallocated deletes, then the finalizer", async () => {
    const { cluster, ipam } = setup();
    cluster.addClaim(claim({ pool: "pool-a" }));
    await ipam.reconcileClaim(KEY);
    const live = cluster.claims.get(KEY)!;
    live.metadata!.deletionTimestamp = "2026-01-02T03:04:05Z";
    cluster.log = [];
    await ipam.reconcileClaim(KEY);
    expect(cluster.writes()).toEqual([]);
    delete live.status!.allocation;
    await ipam.reconcileClaim(KEY);
    expect(cluster.writes()).toEqual([
      "delete pool-a-v4-10-10-0-1",
      "delete pool-a-v6-fd00-10-0-0-0-0-0-1",
      `finalizer- ${KEY}`,
    ]);
  });

  it("a crash between the creates and the status leaks nothing: the next run adopts them", async () => {
    const { cluster, ipam, restart } = setup();
    cluster.addClaim(claim({ pool: "pool-a" }));
    cluster.failNext("create", new Error("connection reset"), { after: true });
    await expect(ipam.reconcileClaim(KEY)).rejects.toThrow(/reconcile IP addresses of claim team-a\/net-a/);
    expect(cluster.allocations.size).toBe(1);
    cluster.log = [];
    await restart().reconcileClaim(KEY);
    expect(cluster.writes()).toEqual(["create pool-a-v6-fd00-10-0-0-0-0-0-1", `status ${KEY}`]);
    expect(
      cluster
        .claimAllocations("uid-a")
        .map((a) => a.spec.address)
        .sort(),
    ).toEqual(ipsOf(cluster).sort());
  });

  it("a stale address book: AlreadyExists of another claim's object, then the next address", async () => {
    const { cluster, ipam } = setup(V4);
    cluster.addClaim(claim({ name: "a", uid: "uid-a", pool: "pool-a" }));
    await ipam.reconcileClaim("team-a/a"); // seeds the book: .1
    cluster.allocations.set(
      "pool-a-v4-10-10-0-2",
      allocation("10.10.0.2/29", { claim: { name: "x", uid: "uid-x" } }),
    );
    cluster.addClaim(claim({ name: "b", uid: "uid-b", pool: "pool-a" }));
    cluster.log = [];
    await ipam.reconcileClaim("team-a/b");
    expect(cluster.writes()).toEqual([
      "finalizer+ team-a/b",
      "create-exists pool-a-v4-10-10-0-2",
      "create pool-a-v4-10-10-0-3",
      "status team-a/b",
    ]);
  });

  it("a long run of collisions refreshes the address book from a full list (at most once a second)", async () => {
    const { cluster, clock, ipam } = setup({ cidrs: ["10.10.0.0/24"] });
    cluster.addClaim(claim({ name: "a", uid: "uid-a", pool: "pool-a" }));
    await ipam.reconcileClaim("team-a/a"); // seeds the book: .1
    for (let i = 2; i <= 41; i++) {
      const address = `10.10.0.${i}/24`;
      const foreign = allocation(address, { claim: { name: "x", uid: "uid-x" } });
      cluster.allocations.set(foreign.metadata.name, foreign);
    }
    cluster.addClaim(claim({ name: "b", uid: "uid-b", pool: "pool-a" }));
    cluster.log = [];
    clock.advance(5_000);
    await ipam.reconcileClaim("team-a/b");
    expect(cluster.log.filter((l) => l.startsWith("create-exists"))).toHaveLength(16);
    expect(ipsOf(cluster, "team-a/b")).toEqual(["10.10.0.42/24"]);
  });

  it("exhausted only after a refresh: the book thought there was room", async () => {
    const { cluster, clock, ipam } = setup({ cidrs: ["10.10.0.0/31"] });
    cluster.addClaim(claim({ name: "a", uid: "uid-a", pool: "pool-a" }));
    await ipam.reconcileClaim("team-a/a"); // .0
    const foreign = allocation("10.10.0.1/31", { claim: { name: "x", uid: "uid-x" } });
    cluster.allocations.set(foreign.metadata.name, foreign);
    cluster.allocations.delete("pool-a-v4-10-10-0-0"); // freed behind its back
    cluster.addClaim(claim({ name: "b", uid: "uid-b", pool: "pool-a" }));
    clock.advance(5_000);
    await ipam.reconcileClaim("team-a/b");
    expect(ipsOf(cluster, "team-a/b")).toEqual(["10.10.0.0/31"]);
  });

  it("adopts what a racing controller created for the same device, rather than taking a second address", async () => {
    const { cluster, ipam } = setup(V4);
    cluster.addClaim(claim({ pool: "pool-a" }));
    cluster.beforeCreate = (a) => {
      cluster.beforeCreate = undefined;
      cluster.allocations.set(a.metadata.name, {
        ...structuredClone(a),
        metadata: { ...a.metadata, uid: "theirs" },
      });
    };
    const result = await ipam.reconcileClaim(KEY);
    expect(result.created).toBe(1);
    expect(cluster.claimAllocations("uid-a").map((a) => a.metadata.uid)).toEqual(["theirs"]);
    expect(ipsOf(cluster)).toEqual(["10.10.0.1/29"]);
  });

  it("the claim turned deleting before the finalizer went on: nothing is created", async () => {
    const { cluster } = setup(V4);
    cluster.addClaim(claim({ pool: "pool-a" }));
    const ports = cluster.ports();
    const racing = new IpamReconciler({
      ...ports,
      finalizers: {
        add: (c) => {
          cluster.claims.get(KEY)!.metadata!.deletionTimestamp = "2026-01-02T03:04:05Z";
          return ports.finalizers.add(c);
        },
        remove: (c) => ports.finalizers.remove(c),
      },
    });
    const result = await racing.reconcileClaim(KEY);
    expect([result.action, cluster.allocations.size]).toEqual(["none", 0]);
  });

  it("a claim that is gone: its allocations go, a new claim of the same name keeps its own", async () => {
    const { cluster, ipam } = setup(V4);
    cluster.allocations.set("pool-a-v4-10-10-0-4", allocation("10.10.0.4/29", { claim: { uid: "old-uid" } }));
    let result = await ipam.reconcileClaim(KEY);
    expect(result).toMatchObject({ action: "gone", released: 1 });
    expect(cluster.allocations.size).toBe(0);

    cluster.allocations.set("pool-a-v4-10-10-0-4", allocation("10.10.0.4/29", { claim: { uid: "old-uid" } }));
    cluster.allocations.set("pool-a-v4-10-10-0-5", allocation("10.10.0.5/29", { claim: { uid: "uid-a" } }));
    const ports = cluster.ports();
    // The claim is re-created between the first read (NotFound) and the check after the list.
    let reads = 0;
    const recreated = new IpamReconciler({
      ...ports,
      claims: {
        ...ports.claims,
        getClaim: () => Promise.resolve(reads++ === 0 ? undefined : claim({ pool: "pool-a" })),
      },
    });
    result = await recreated.reconcileClaim(KEY);
    expect(result.released).toBe(1);
    expect([...cluster.allocations.keys()]).toEqual(["pool-a-v4-10-10-0-5"]);
  });

  it("an Event that cannot be recorded does not fail the reconcile", async () => {
    const { cluster, ipam } = setup({ cidrs: ["10.10.0.0/32"] });
    cluster.addClaim(claim({ name: "a", uid: "uid-a", pool: "pool-a" }));
    cluster.addClaim(claim({ name: "b", uid: "uid-b", pool: "pool-a" }));
    await ipam.reconcileClaim("team-a/a");
    cluster.failNext("event", new Error("forbidden"));
    await expect(ipam.reconcileClaim("team-a/b")).resolves.toMatchObject({ waitingOn: ["pool-a"] });
    expect(condition(cluster, "team-a/b")).toMatchObject({ reason: "PoolExhausted" });
  });

  it("rejects a key that is not namespace/name", async () => {
    const { ipam } = setup();
    await expect(ipam.reconcileClaim("just-a-name")).rejects.toThrow(/not "namespace\/name"/);
  });

  it("a finalizer repair when the claim holds addresses without it", async () => {
    const { cluster, ipam } = setup(V4);
    cluster.addClaim(claim({ pool: "pool-a" }));
    cluster.allocations.set("pool-a-v4-10-10-0-3", allocation("10.10.0.3/29"));
    await ipam.reconcileClaim(KEY);
    expect(cluster.claims.get(KEY)?.metadata?.finalizers).toEqual([IP_ALLOCATION_FINALIZER]);
    expect(ipsOf(cluster)).toEqual(["10.10.0.3/29"]);
  });
});

describe("IpamReconciler.resync and reconcilePool", () => {
  it("releases allocations of vanished claims and writes pool statuses", async () => {
    const { cluster, ipam } = setup(V4);
    cluster.addClaim(claim({ pool: "pool-a" }));
    await ipam.reconcileClaim(KEY);
    cluster.allocations.set(
      "pool-a-v4-10-10-0-5",
      allocation("10.10.0.5/29", { claim: { name: "gone", uid: "gone-uid" } }),
    );
    cluster.allocations.set("old-v4-10-99-0-1", allocation("10.99.0.1/24", { pool: "old" }));
    const result = await ipam.resync();
    expect(result).toMatchObject({ released: 1, freedPools: ["pool-a"], allocationsOfMissingPools: 1 });
    expect([...cluster.allocations.keys()].sort()).toEqual(["old-v4-10-99-0-1", "pool-a-v4-10-10-0-1"]);
    expect(cluster.poolStatuses.get("pool-a")).toMatchObject({ allocated: 1, size: "6", free: "5" });
    const again = await ipam.resync();
    expect(again.pools[0]).toMatchObject({ pool: "pool-a", statusWritten: false });
  });

  it("reconcilePool: status, and the claims waiting on the pool", async () => {
    const { cluster, ipam } = setup({ cidrs: ["10.10.0.0/32"] });
    cluster.addClaim(claim({ name: "a", uid: "uid-a", pool: "pool-a" }));
    cluster.addClaim(claim({ name: "b", uid: "uid-b", pool: "pool-a" }));
    await ipam.reconcileClaim("team-a/a");
    await ipam.reconcileClaim("team-a/b");
    const result = await ipam.reconcilePool("pool-a");
    expect(result).toMatchObject({ exists: true, statusWritten: true, waitingClaims: ["team-a/b"] });
    expect(cluster.poolStatuses.get("pool-a")?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      "Ready=True",
      "Exhausted=True",
    ]);
    expect(await ipam.reconcilePool("missing")).toMatchObject({ exists: false, statusWritten: false });
  });
});
