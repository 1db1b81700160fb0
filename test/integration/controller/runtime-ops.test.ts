// Operations of `netclaim controller`: the effective config as a JSON log line, /healthz (leader:
// election alive and informers synced; standby: healthy without informers; 503 while an informer
// cannot list), /metrics (leader status, queue depth, reconcile results and durations by
// controller), and a flag that does not resolve exits 2 before anything starts. Also the same on a
// cluster serving resource.k8s.io only at v1beta1 (Kubernetes 1.32).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetclaimController } from "../../../src/controller/controller.ts";
import type { FakeApiServer } from "../../harness/api-server/index.ts";
import {
  FAST_ELECTION,
  eventually,
  inProcessController,
  nadObject,
  ref,
  spawnController,
  startServer,
} from "./runtime-support.ts";
import type { ControllerProcess } from "./runtime-support.ts";

let server: FakeApiServer;
let dir: string;
let kubeconfig: string;
const processes: ControllerProcess[] = [];
const controllers: NetclaimController[] = [];

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
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

async function startProcess(identity: string): Promise<{ p: ControllerProcess; port: number }> {
  const p = spawnController(kubeconfig, [
    `--leader-election-identity=${identity}`,
    "--metrics-address=127.0.0.1:0",
    "--leader-election-lease-duration=2s",
    "--leader-election-renew-deadline=1500ms",
    "--leader-election-retry-period=200ms",
  ]);
  processes.push(p);
  const serving = await p.logLine((l) => l.msg === "serving /healthz and /metrics", "ops server");
  return { p, port: serving.port as number };
}

async function get(port: number, path: string): Promise<{ status: number; body: string; type: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text(), type: res.headers.get("content-type") ?? "" };
}

describe("netclaim controller operations", () => {
  it("logs its effective config and answers /healthz and /metrics as leader and as standby", async () => {
    const leader = await startProcess("replica-a");
    const config = await leader.p.logLine((l) => l.msg === "effective configuration", "config");
    expect(config).toMatchObject({
      level: "info",
      component: "controller",
      config: {
        "driver-name": "netclaim.dev",
        "leader-election-lease-name": "netclaim-controller",
        "leader-election-lease-duration": 2_000,
        "metrics-address": "127.0.0.1:0",
        "log-level": "debug",
      },
    });
    expect(typeof config.time).toBe("string");
    await leader.p.logLine((l) => l.msg === "became leader", "leads");
    server.seed(nadObject("net-1", "pool-1", { manage: true }));
    await eventually(() => server.getObject(ref.deviceClass("pool-1")) !== undefined, "reconciled");

    let health = await get(leader.port, "/healthz");
    for (let i = 0; health.status !== 200 && i < 100; i++) health = await get(leader.port, "/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({
      healthy: true,
      checks: { leaderElection: { ok: true, detail: "leading" }, informers: { ok: true, detail: "synced" } },
    });
    const metrics = await get(leader.port, "/metrics");
    expect(metrics.type).toContain("text/plain");
    for (const line of [
      "netclaim_controller_leader 1",
      'netclaim_controller_workqueue_depth{controller="device-classes"} 0',
      'netclaim_controller_reconcile_total{controller="device-classes",result="success"}',
      'netclaim_controller_reconcile_duration_seconds_count{controller="device-classes",result="success"}',
      "netclaim_controller_process_cpu_seconds_total",
    ]) {
      expect(metrics.body).toContain(line);
    }

    const standby = await startProcess("replica-b");
    await standby.p.logLine((l) => l.msg === "new leader observed", "b sees a");
    const standbyHealth = await get(standby.port, "/healthz");
    expect(standbyHealth.status).toBe(200);
    expect((JSON.parse(standbyHealth.body) as { checks: unknown }).checks).toEqual({
      leaderElection: { ok: true, detail: "standby; leader replica-a" },
      informers: { ok: true, detail: "not running (standby)" },
    });
    expect((await get(standby.port, "/metrics")).body).toContain("netclaim_controller_leader 0");
    expect((await get(standby.port, "/nothing")).status).toBe(404);
  });

  it("exits 2 on flags that do not resolve", async () => {
    const p = spawnController(kubeconfig, [
      "--leader-election-lease-duration=5s",
      "--leader-election-renew-deadline=10s",
    ]);
    processes.push(p);
    expect(await p.exited).toEqual({ code: 2, signal: null });
  });

  it("reports unhealthy while an informer cannot list, healthy once it can", async () => {
    const heal = server.addFault({
      match: { verb: "list", resource: "nodes" },
      status: 500,
      message: "etcd down",
    });
    const controller = inProcessController(server);
    controllers.push(controller);
    await controller.start();
    await eventually(() => controller.isLeader(), "leads");
    await eventually(() => server.requestCount({ verb: "list", resource: "nodes" }) > 0, "tried to list");
    expect(controller.health()).toMatchObject({
      healthy: false,
      checks: { informers: { ok: false, detail: "waiting for: nodes" } },
    });
    heal();
    await eventually(() => controller.health().healthy, "healthy after the list works", 15_000);
  });

  it("works against a cluster serving resource.k8s.io only at v1beta1", async () => {
    await server.stop();
    server = await startServer({ resourceApiVersions: ["v1beta1"] });
    const controller = inProcessController(server, {
      leaderElection: { namespace: "default", ...FAST_ELECTION },
    });
    controllers.push(controller);
    server.seed(nadObject("net-1", "pool-1", { manage: true }));
    await controller.start();
    await eventually(() => server.getObject(ref.deviceClass("pool-1")) !== undefined, "class at v1beta1");
    expect(server.requestCount({ verb: "create", resource: "deviceclasses" })).toBe(1);
    expect(
      server.requests().find((r) => r.verb === "create" && r.resource === "deviceclasses")?.apiVersion,
    ).toBe("v1beta1");
  });
});
