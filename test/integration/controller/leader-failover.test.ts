// Two `netclaim controller` processes on one stand-in API server: one leads (only it writes
// DeviceClasses), SIGKILL it and the other takes over once the lease term ran out; SIGTERM the leader
// and it stops its workers, releases the lease and exits 0 — with a lease far longer than this test
// may take, the standby can only have taken over because the lease was released.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FakeApiServer } from "../../harness/api-server/index.ts";
import { eventually, nadObject, ref, spawnController, startServer } from "./runtime-support.ts";
import type { ControllerProcess } from "./runtime-support.ts";

let server: FakeApiServer;
let dir: string;
let kubeconfig: string;
const processes: ControllerProcess[] = [];

beforeEach(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), "netclaim-controller-"));
  kubeconfig = join(dir, "kubeconfig");
  await server.writeKubeconfig(kubeconfig);
});

afterEach(async () => {
  for (const p of processes.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    await p.exited;
  }
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

function start(
  identity: string,
  timings: { lease: string; renew: string; retry: string },
): ControllerProcess {
  const p = spawnController(kubeconfig, [
    "--leader-election-namespace=default",
    `--leader-election-identity=${identity}`,
    `--leader-election-lease-duration=${timings.lease}`,
    `--leader-election-renew-deadline=${timings.renew}`,
    `--leader-election-retry-period=${timings.retry}`,
  ]);
  processes.push(p);
  return p;
}

const holder = (): string | undefined =>
  (server.getObject(ref.lease())?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
const becameLeader = (l: Record<string, unknown>) => l.msg === "became leader";

describe("netclaim controller leader election", () => {
  it("fails over to the standby after the killed leader's lease expires", async () => {
    const timings = { lease: "2s", renew: "1500ms", retry: "200ms" };
    const a = start("replica-a", timings);
    await a.logLine(becameLeader, "a leads");
    const b = start("replica-b", timings);
    await b.logLine((l) => l.msg === "new leader observed" && l.leader === "replica-a", "b sees a");
    server.seed(nadObject("net-1", "pool-1", { manage: true }));
    await eventually(() => server.getObject(ref.deviceClass("pool-1")) !== undefined, "a makes the class");
    expect(b.lines.some(becameLeader)).toBe(false);

    a.child.kill("SIGKILL");
    const killedAt = Date.now();
    await a.exited;
    await b.logLine(becameLeader, "b takes over");
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1_000); // not before a's term could end
    expect(holder()).toBe("replica-b");

    server.seed(nadObject("net-2", "pool-2", { manage: true }));
    await eventually(() => server.getObject(ref.deviceClass("pool-2")) !== undefined, "b makes classes");
    await b.logLine((l) => l.msg === "created DeviceClass" && l.deviceClass === "pool-2", "b's log");
    const created = (p: ControllerProcess) =>
      p.lines.filter((l) => l.msg === "created DeviceClass").map((l) => l.deviceClass);
    expect({ a: created(a), b: created(b) }).toEqual({ a: ["pool-1"], b: ["pool-2"] });
    expect(server.requestCount({ verb: "create", resource: "deviceclasses" })).toBe(2);
  });

  it("on SIGTERM releases the lease at once and exits 0", async () => {
    const timings = { lease: "60s", renew: "40s", retry: "200ms" };
    const a = start("replica-a", timings);
    await a.logLine(becameLeader, "a leads");
    const b = start("replica-b", timings);
    await b.logLine((l) => l.msg === "new leader observed" && l.leader === "replica-a", "b sees a");

    a.child.kill("SIGTERM");
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(a.lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["stopping", "controller stopped", "released the leader lease"]),
    );
    const stoppedWorkers = a.lines.findIndex(
      (l) => l.msg === "controller stopped" && l.controller !== undefined,
    );
    const released = a.lines.findIndex((l) => l.msg === "released the leader lease");
    expect(stoppedWorkers).toBeGreaterThanOrEqual(0);
    expect(stoppedWorkers).toBeLessThan(released);
    await b.logLine(becameLeader, "b takes over long before a 60 s term would end");
    expect(holder()).toBe("replica-b");
  });
});
