// Fail-over in the middle of allocating: two `netclaim controller` processes on one stand-in API
// server with the IPPool/IPAllocation CRDs; 60 claims arrive, the leader is SIGKILLed once some have
// addresses, the standby takes over after the lease term and finishes — every claim ends with exactly
// one address, no address is held twice, and every IPAllocation belongs to the claim showing it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { allocationsOf, claimsOf, createClaims, startWorld, statusIps } from "./ipam-support.ts";
import type { World } from "./ipam-support.ts";
import { eventually, spawnController } from "./runtime-support.ts";
import type { ControllerProcess } from "./runtime-support.ts";

const CLAIMS = 60;

let world: World;
let dir: string;
const processes: ControllerProcess[] = [];

afterEach(async () => {
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
  await world?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function start(kubeconfig: string, identity: string): ControllerProcess {
  const p = spawnController(kubeconfig, [
    "--leader-election-namespace=default",
    `--leader-election-identity=${identity}`,
    "--leader-election-lease-duration=2s",
    "--leader-election-renew-deadline=1500ms",
    "--leader-election-retry-period=200ms",
  ]);
  processes.push(p);
  return p;
}

describe("leader fail-over during allocation", () => {
  it("finishes every claim after the leader is killed, allocating nothing twice", async () => {
    world = await startWorld({ "pool-a": { cidrs: ["10.30.0.0/24"] } });
    dir = await mkdtemp(join(tmpdir(), "netclaim-controller-"));
    const kubeconfig = join(dir, "kubeconfig");
    await world.server.writeKubeconfig(kubeconfig);
    const a = start(kubeconfig, "replica-a");
    await a.logLine((l) => l.msg === "became leader", "a leads");
    const b = start(kubeconfig, "replica-b");
    await b.logLine((l) => l.msg === "new leader observed" && l.leader === "replica-a", "b sees a");

    const names = Array.from({ length: CLAIMS }, (_, i) => `claim-${i}`);
    const created = createClaims(
      world.kube,
      names.map((name) => ({ name, pool: "pool-a" })),
      4,
    );
    await eventually(() => allocationsOf(world.server).length >= 5, "a allocates some", 20_000);
    a.child.kill("SIGKILL");
    await a.exited;
    const atKill = allocationsOf(world.server).length;
    await created;
    await b.logLine((l) => l.msg === "became leader", "b takes over");
    await eventually(
      () => [...statusIps(world.server).values()].filter((ips) => ips.length === 1).length === CLAIMS,
      "every claim has its address",
      30_000,
    );

    expect(atKill).toBeLessThan(CLAIMS); // the kill did land mid-way
    const ips = statusIps(world.server);
    const shown = names.map((n) => ips.get(n)?.[0] ?? "");
    expect(new Set(shown).size).toBe(CLAIMS);
    const allocations = allocationsOf(world.server);
    expect(allocations).toHaveLength(CLAIMS);
    const uidOf = new Map(claimsOf(world.server).map((c) => [c.metadata!.name!, c.metadata!.uid!]));
    for (const allocation of allocations) {
      const claim = allocation.spec.claim.name;
      expect(allocation.spec.claim.uid).toBe(uidOf.get(claim));
      expect(ips.get(claim)).toEqual([allocation.spec.address]);
    }
  });
});
