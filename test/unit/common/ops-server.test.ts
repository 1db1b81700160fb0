// The operations endpoint: /healthz follows the checks, /readyz its own (or /healthz's), /metrics renders the plugin's registry,
// nothing else is served; listen addresses as the flag accepts them.
import { afterEach, describe, expect, it } from "vitest";
import { PluginMetrics } from "../../../src/kubelet-plugin/ops/metrics.ts";
import { OpsServer, parseListenAddress } from "../../../src/common/ops-server.ts";
import type { HealthReport } from "../../../src/common/ops-server.ts";

let server: OpsServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(
  health: () => Promise<HealthReport>,
  metrics = new PluginMetrics({ defaultMetrics: false }),
  readiness?: () => Promise<HealthReport>,
) {
  server = new OpsServer({ address: "127.0.0.1:0", metrics, health, ...(readiness ? { readiness } : {}) });
  await server.start();
  return `http://127.0.0.1:${server.port}`;
}

describe("parseListenAddress", () => {
  it.each([
    { input: "127.0.0.1:9090", want: { host: "127.0.0.1", port: 9090 } },
    { input: ":8080", want: { host: "", port: 8080 } },
    { input: "[::1]:0", want: { host: "::1", port: 0 } },
  ])("$input", ({ input, want }) => {
    expect(parseListenAddress(input)).toEqual(want);
  });

  it.each(["9090", "host:", "host:70000"])("rejects %s", (input) => {
    expect(() => parseListenAddress(input)).toThrow();
  });
});

describe("OpsServer", () => {
  it.each<{ name: string; report: HealthReport; status: number }>([
    { name: "healthy", report: { healthy: true, checks: { draService: { ok: true } } }, status: 200 },
    {
      name: "unhealthy",
      report: { healthy: false, checks: { registered: { ok: false, detail: "not yet" } } },
      status: 503,
    },
  ])("answers /healthz $name with $status and the checks", async ({ report, status }) => {
    const base = await start(() => Promise.resolve(report));
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual(report);
  });

  it("answers /readyz from its own checks, or from /healthz's when it has none", async () => {
    const healthy: HealthReport = { healthy: true, checks: { draService: { ok: true } } };
    const notReady: HealthReport = {
      healthy: false,
      checks: { draService: { ok: true }, "cni-server": { ok: false, detail: "informer caches not synced" } },
    };
    let base = await start(
      () => Promise.resolve(healthy),
      undefined,
      () => Promise.resolve(notReady),
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual(notReady);
    await server?.stop();
    base = await start(() => Promise.resolve(healthy));
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it("renders the metrics the plugin recorded", async () => {
    const metrics = new PluginMetrics({ defaultMetrics: false });
    metrics.claimDone("prepare", "success", 12);
    metrics.claimDone("unprepare", "error", 3);
    metrics.callDone("NodePrepareResources", "v1beta1.DRAPlugin", "OK", 20);
    metrics.recordError("registration");
    metrics.setDevicesPublished(8);
    const base = await start(() => Promise.resolve({ healthy: true, checks: {} }), metrics);
    const res = await fetch(`${base}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const line of [
      'netclaim_dra_claim_operations_total{operation="prepare",result="success"} 1',
      'netclaim_dra_claim_operations_total{operation="unprepare",result="error"} 1',
      'netclaim_dra_claim_operation_duration_seconds_count{operation="prepare",result="success"} 1',
      'netclaim_dra_grpc_calls_total{method="NodePrepareResources",service="v1beta1.DRAPlugin",code="OK"} 1',
      'netclaim_kubelet_plugin_errors_total{component="registration"} 1',
      "netclaim_resource_slice_devices_published 8",
    ]) {
      expect(text).toContain(line);
    }
  });

  it.each([
    { method: "GET", path: "/", status: 404 },
    { method: "POST", path: "/healthz", status: 405 },
  ])("answers $method $path with $status", async ({ method, path, status }) => {
    const base = await start(() => Promise.resolve({ healthy: true, checks: {} }));
    expect((await fetch(`${base}${path}`, { method })).status).toBe(status);
  });

  it("answers 500 when a check throws", async () => {
    const base = await start(() => Promise.reject(new Error("boom")));
    const res = await fetch(`${base}/healthz`);
    expect(res.status).toBe(500);
    expect(await res.text()).toBe("boom\n");
  });
});
