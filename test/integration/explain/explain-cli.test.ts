// `netclaim explain pod` as users run it: the real CLI (`node src/cli/main.ts explain pod ...` on the
// pinned Node) against the stand-in API server seeded with the seed scenario's objects (pod, NADs, the
// claim with its allocation and the controller's addresses, the managed DeviceClass, the node's
// ResourceSlice), in both output forms, with its exit codes: 0 resolved, 1 missing (explanation still
// printed) or pod not found (named on stderr), 2 for usage errors.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectorExpression } from "../../../src/controller/classes/device-class.ts";
import type { Explanation } from "../../../src/explain/explanation.ts";
import type { FakeApiServer, KubeObject } from "../../harness/api-server/index.ts";
import { startServer } from "../k8s/helpers.ts";

const run = promisify(execFile);
const CLI = new URL("../../../src/cli/main.ts", import.meta.url).pathname;
const DRIVER = "netclaim.dev";

let server: FakeApiServer;
let dir: string;
let kubeconfig: string;

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  const env = { ...process.env, NETCLAIM_KUBECONFIG: "", KUBECONFIG: "" };
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, "explain", ...args], { env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

function nad(name: string, resourceName: string, extra: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "k8s.cni.cncf.io/v1",
    kind: "NetworkAttachmentDefinition",
    metadata: {
      namespace: "default",
      name,
      annotations: { "k8s.v1.cni.cncf.io/resourceName": resourceName, ...extra },
    },
    spec: { config: JSON.stringify({ cniVersion: "1.0.0", name, type: "host-device" }) },
  };
}

function podObject(name: string, networks: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { namespace: "default", name, annotations: { "k8s.v1.cni.cncf.io/networks": networks } },
    spec: {
      nodeName: "node-a",
      containers: [{ name: "app", image: "busybox", resources: { claims: [{ name: "net" }] } }],
      resourceClaims: [{ name: "net", resourceClaimTemplateName: "demo-tmpl" }],
    },
    status: { phase: "Running", resourceClaimStatuses: [{ name: "net", resourceClaimName: `${name}-net` }] },
  };
}

function claimObject(name: string): KubeObject {
  return {
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceClaim",
    metadata: { namespace: "default", name },
    spec: { devices: { requests: [{ name: "net", exactly: { deviceClassName: "sf-pool-1" } }] } },
    status: {
      allocation: {
        devices: { results: [{ request: "net", driver: DRIVER, pool: "node-a", device: "vf-0" }] },
      },
      devices: [
        {
          driver: DRIVER,
          pool: "node-a",
          device: "vf-0",
          conditions: [
            {
              type: "AddressesAllocated",
              status: "True",
              reason: "Allocated",
              message: "10.10.0.10/24 from IPPool pool-a",
              lastTransitionTime: "2025-01-01T00:00:00Z",
            },
          ],
          networkData: { ips: ["10.10.0.10/24"] },
        },
      ],
    },
  };
}

beforeAll(async () => {
  server = await startServer();
  dir = await mkdtemp(join(tmpdir(), "netclaim-explain-"));
  kubeconfig = join(dir, "kubeconfig");
  await server.writeKubeconfig(kubeconfig);
  server.seed(nad("sf-net", "sf-pool-1", { "netclaim.dev/ip-pool": "pool-a" }));
  server.seed(nad("fast-net", "fast"));
  server.seed({
    apiVersion: "resource.k8s.io/v1",
    kind: "DeviceClass",
    metadata: {
      name: "sf-pool-1",
      labels: { "app.kubernetes.io/managed-by": "netclaim", "netclaim.dev/driver": DRIVER },
    },
    spec: { selectors: [{ cel: { expression: selectorExpression(DRIVER, "sf-pool-1") } }] },
  });
  server.seed({
    apiVersion: "resource.k8s.io/v1",
    kind: "ResourceSlice",
    metadata: { name: "node-a-netclaim" },
    spec: {
      driver: DRIVER,
      nodeName: "node-a",
      pool: { name: "node-a", generation: 1, resourceSliceCount: 1 },
      devices: [
        {
          name: "vf-0",
          attributes: {
            "k8s.cni.cncf.io/resourceName": { string: "sf-pool-1" },
            "resource.kubernetes.io/pciBusID": { string: "0000:03:00.2" },
          },
        },
        { name: "vf-1", attributes: { "k8s.cni.cncf.io/resourceName": { string: "sf-pool-1" } } },
      ],
    },
  });
  server.seed(podObject("demo", "sf-net"));
  server.seed(claimObject("demo-net"));
  server.seed(podObject("broken", "sf-net,fast-net"));
  server.seed(claimObject("broken-net"));
});

afterAll(async () => {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
});

describe("netclaim explain pod", () => {
  it("explains a resolved pod in text and exits 0", async () => {
    const result = await cli("pod", "default/demo", `--kubeconfig=${kubeconfig}`);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe("Pod default/demo on node node-a, Running");
    expect(lines).toContain("  [1] default/sf-net (networks-annotation) net1: ok");
    expect(lines).toContain(
      "      device netclaim.dev/node-a/vf-0 (claim default/demo-net, request net, class sf-pool-1)",
    );
    expect(lines).toContain(
      "      addresses 10.10.0.10/24, IPPool pool-a, AddressesAllocated True Allocated",
    );
    expect(lines.at(-2)).toBe("Every network resolves.");
    const sliceLists = server.requests().filter((r) => r.verb === "list" && r.resource === "resourceslices");
    expect(sliceLists.at(-1)?.query.fieldSelector).toBe("spec.nodeName=node-a");
  });

  it("explains the same pod in JSON", async () => {
    const result = await cli("pod", "default/demo", "-o", "json", `--kubeconfig=${kubeconfig}`);
    expect(result.code).toBe(0);
    const explanation = JSON.parse(result.stdout) as Explanation;
    expect(explanation).toMatchObject({
      schemaVersion: 1,
      resolved: true,
      pod: { namespace: "default", name: "demo", node: "node-a" },
    });
    expect(explanation.networks[1]).toMatchObject({
      name: "default/sf-net",
      status: "ok",
      device: { device: "netclaim.dev/node-a/vf-0", rule: "attribute", deviceId: "0000:03:00.2" },
      addresses: { ips: ["10.10.0.10/24"], ipPool: "pool-a" },
    });
  });

  it("prints the explanation and exits 1 when a network is missing", async () => {
    const text = await cli("pod", "default/broken", `--kubeconfig=${kubeconfig}`);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("  [2] default/fast-net (networks-annotation) net2: missing\n");
    expect(text.stdout).toContain('warning NO_DEVICE_CLASS: no DeviceClass named "fast"');
    expect(text.stdout.trimEnd().split("\n").at(-1)).toBe("1 of 3 network(s) would not resolve.");
    const json = await cli("pod", "default/broken", "--output=json", `--kubeconfig=${kubeconfig}`);
    expect(json.code).toBe(1);
    const explanation = JSON.parse(json.stdout) as Explanation;
    expect(explanation.resolved).toBe(false);
    expect(explanation.networks[2]?.findings.map((f) => f.code)).toEqual([
      "NO_MATCHING_DEVICE",
      "NO_DEVICE_CLASS",
    ]);
  });

  it("applies the CNI config given with --cni-config", async () => {
    const conf = join(dir, "00-netclaim.conf");
    await writeFile(
      conf,
      JSON.stringify({
        cniVersion: "1.0.0",
        name: "netclaim",
        type: "netclaim",
        clusterNetwork: "/etc/cni/net.d/10-bridge.conf",
      }),
    );
    const result = await cli(
      "pod",
      "default/demo",
      "-o",
      "json",
      `--cni-config=${conf}`,
      `--kubeconfig=${kubeconfig}`,
    );
    expect(result.code).toBe(0);
    const explanation = JSON.parse(result.stdout) as Explanation;
    expect(explanation.settings).toBe(conf);
    expect(explanation.networks[0]).toMatchObject({
      name: "/etc/cni/net.d/10-bridge.conf",
      status: "deferred",
    });
  });

  it("names a pod that does not exist and exits 1", async () => {
    const result = await cli("pod", "default/nope", `--kubeconfig=${kubeconfig}`);
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toBe("netclaim explain pod default/nope: pod default/nope not found\n");
  });

  it.each([
    ["a pod without a namespace", ["pod", "demo"], 'expected NAMESPACE/NAME, got "demo"'],
    ["an unknown output form", ["pod", "default/demo", "-o", "yaml"], "--output: invalid value"],
    ["no pod", ["pod"], "missing required argument"],
    ["an unknown subcommand", ["node", "x"], "unknown command"],
  ])("exits 2 for %s", async (_what, args, message) => {
    const result = await cli(...args, `--kubeconfig=${kubeconfig}`);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });

  it("prints its help and exits 0", async () => {
    const result = await cli("pod", "--help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("-o, --output <format>");
    expect(result.stdout).toContain("--cni-config <path>");
  });
});
