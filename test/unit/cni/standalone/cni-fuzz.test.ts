// Property: whatever the pod's annotations, the NADs' configs, the netclaim config on stdin and the
// command, `netclaim cni` (runCni with the real parsers and the real engine over fakes) answers: exit 0
// with a result (ADD), a version answer (VERSION) or nothing, or exit 1 with a CNI error object — never a
// rejection, never anything else on stdout.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttachmentCache } from "../../../../src/cni/cache/attachment-cache.ts";
import { CniEngine } from "../../../../src/cni/engine/engine.ts";
import { runCni } from "../../../../src/cni/main.ts";
import type { CniDeps } from "../../../../src/cni/main.ts";
import type { Clock } from "../../../../src/common/clock.ts";
import { silentLogger } from "../../../../src/common/logger.ts";
import { FakeClusterView } from "../../../fakes/cni-cluster.ts";
import { FakeConfFiles } from "../../../fakes/cni-conf-files.ts";
import { FakeDelegates } from "../../../fakes/cni-delegates.ts";
import { FakeReadinessGate } from "../../../fakes/cni-readiness.ts";
import { FakeRouteApplier } from "../../../fakes/cni-routes.ts";
import { FakeStatusWriter } from "../../../fakes/cni-status-writer.ts";

const NETWORKS = "k8s.v1.cni.cncf.io/networks";
const DEFAULT_NETWORK = "v1.multus-cni.io/default-network";
const NAD_NAMES = ["mv", "side", "ns2/other", "default/shared", "missing", "Bad_Name", ""];

/** Sleeps end at once: the engine's retries must not make the property slow. */
const instantClock: Clock = {
  now: () => Date.now(),
  sleep: (_ms, signal) => (signal?.aborted ? Promise.reject(signal.reason as Error) : Promise.resolve()),
  setTimeout: (fn) => {
    queueMicrotask(fn);
    return { cancel: () => undefined };
  },
  setInterval: () => ({ cancel: () => undefined }),
};

const anyJson = fc.jsonValue({ maxDepth: 3 });

/** One JSON-form selection: Multus's keys with values of the right or the wrong type. */
const selection = fc.record(
  {
    name: fc.oneof(fc.constantFrom(...NAD_NAMES), fc.string()),
    namespace: fc.oneof(fc.constantFrom("ns1", "ns2", "default", ""), anyJson),
    interface: fc.oneof(fc.constantFrom("net5", "eth0", "x".repeat(16), "a/b", "data 0"), anyJson),
    ips: fc.oneof(fc.constant(["10.1.2.3/24"]), fc.array(fc.string(), { maxLength: 2 }), anyJson),
    mac: fc.oneof(fc.constant("02:00:00:00:00:01"), fc.string(), anyJson),
    "default-route": fc.oneof(fc.constant(["10.1.2.1"]), fc.constant(["fd00::1", "10.0.0.1"]), anyJson),
    "cni-args": fc.oneof(fc.dictionary(fc.string(), anyJson, { maxKeys: 3 }), anyJson),
    portMappings: anyJson,
    bandwidth: anyJson,
    "infiniband-guid": anyJson,
    "ipam-claim-reference": anyJson,
  },
  { requiredKeys: [] },
);

const networksValue = fc.oneof(
  fc
    .array(
      fc.constantFrom(...NAD_NAMES.map((n) => `${n}@net${n.length}`), "mv", "side@side0", "a/b/c", "x@@y"),
      {
        maxLength: 4,
      },
    )
    .map((items) => items.join(",")),
  fc.array(selection, { maxLength: 3 }).map((s) => JSON.stringify(s)),
  fc.string(),
  anyJson.map((v) => JSON.stringify(v)),
);

const defaultNetworkValue = fc.oneof(fc.constantFrom("ns1/mv", "mv", "a,b", "kube-system/cl"), fc.string());
const annotations = fc
  .tuple(fc.option(networksValue, { freq: 8 }), fc.option(defaultNetworkValue, { freq: 1, nil: undefined }))
  .map(([networks, defaultNetwork]) => {
    const out: Record<string, string> = {};
    if (networks !== null) out[NETWORKS] = networks;
    if (defaultNetwork !== undefined) out[DEFAULT_NETWORK] = defaultNetwork;
    return out;
  });

const delegateConfig = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constant(JSON.stringify({ cniVersion: "1.0.0", type: "macvlan", master: "eth1" })),
  },
  {
    weight: 3,
    arbitrary: fc.constant(
      JSON.stringify({ cniVersion: "0.3.1", plugins: [{ type: "ptp" }, { type: "tuning" }] }),
    ),
  },
  fc.constant(""),
  fc.string(),
  anyJson.map((v) => JSON.stringify(v)),
  fc
    .dictionary(fc.constantFrom("type", "name", "plugins", "cniVersion", "capabilities", "ipam"), anyJson)
    .map((v) => JSON.stringify(v)),
);

const BASE_CONFIG = {
  cniVersion: "1.1.0",
  name: "netclaim-net",
  type: "netclaim",
  clusterNetwork: "cluster",
};
const CONFIG_KEYS = [
  "cniVersion",
  "name",
  "clusterNetwork",
  "defaultNetworks",
  "delegates",
  "confDir",
  "namespaceIsolation",
  "globalNamespaces",
  "systemNamespaces",
  "logLevel",
  "readinessindicatorfile",
  "runtimeConfig",
  "capabilities",
  "multusNamespace",
  "prevResult",
  "daemonSocket",
  "driverName",
  "cni.dev/valid-attachments",
] as const;

const stdin = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .dictionary(fc.constantFrom(...CONFIG_KEYS), anyJson, { maxKeys: 3 })
      .map((o) => JSON.stringify({ ...BASE_CONFIG, ...o })),
  },
  { weight: 1, arbitrary: fc.string() },
  { weight: 1, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
);

const command = fc.constantFrom("ADD", "DEL", "CHECK", "STATUS", "GC", "VERSION", "", "BOGUS");
const GOOD_ARGS = "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod-a;K8S_POD_UID=u-1";

interface Case {
  command: string;
  stdin: string;
  annotations: Record<string, string>;
  nads: string[];
  cniArgs: string;
}

const nadConfigs = fc.array(delegateConfig, { minLength: 4, maxLength: 4 });

/** Anything at the protocol level: command, stdin, CNI_ARGS. */
const protocolCase: fc.Arbitrary<Case> = fc.record({
  command,
  stdin,
  annotations,
  nads: nadConfigs,
  cniArgs: fc.oneof(
    fc.constant(GOOD_ARGS),
    fc.constant("K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod-a;K8S_POD_UID=other"),
    fc.string(),
  ),
});

/** A well-formed ADD of the pod, so that the annotations and the NADs' configs are what varies. */
const podCase: fc.Arbitrary<Case> = fc.record({
  command: fc.constant("ADD"),
  stdin: fc.oneof(
    fc.constant(JSON.stringify(BASE_CONFIG)),
    fc.constant(JSON.stringify({ ...BASE_CONFIG, namespaceIsolation: true })),
    fc.constant(JSON.stringify({ ...BASE_CONFIG, cniVersion: "0.3.1", defaultNetworks: ["ns1/side"] })),
  ),
  annotations,
  nads: nadConfigs,
  cniArgs: fc.constant(GOOD_ARGS),
});

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), "nc-cni-fuzz-"));
});
afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function depsFor(c: Case): CniDeps {
  const cluster = new FakeClusterView().addPod({
    namespace: "ns1",
    name: "pod-a",
    uid: "u-1",
    annotations: c.annotations,
  });
  const [mv, side, other, shared] = c.nads;
  for (const [namespace, name, config] of [
    ["ns1", "mv", mv],
    ["ns1", "side", side],
    ["ns2", "other", other],
    ["default", "shared", shared],
  ] as const) {
    cluster.addNad({
      namespace,
      name,
      annotations: {},
      ...(config === undefined || config === "" ? {} : { config }),
    });
  }
  const confFiles = new FakeConfFiles().add("/etc/cni/multus/net.d", "00-cluster.conflist", {
    cniVersion: "1.0.0",
    name: "cluster",
    plugins: [{ type: "bridge" }],
  });
  const engine = new CniEngine({
    cluster,
    statusWriter: new FakeStatusWriter(),
    confFiles,
    readiness: new FakeReadinessGate(),
    routes: new FakeRouteApplier(),
    executorFor: new FakeDelegates().factory(),
    cacheFor: () => new AttachmentCache(cacheDir), // never the config's cniDir: it is made up
    clock: instantClock,
    logger: silentLogger(),
  });
  return {
    createLogger: () => Promise.resolve(silentLogger()),
    createEngine: () => Promise.resolve({ engine, close: () => undefined }),
  };
}

let containers = 0;

async function answer(
  c: Case,
  command = c.command,
  containerId = `f00d${++containers}`,
): Promise<{ exitCode: number; stdout: string }> {
  const env: Record<string, string> = {
    CNI_COMMAND: command,
    CNI_CONTAINERID: containerId,
    CNI_NETNS: "/var/run/netns/fuzz",
    CNI_IFNAME: "eth0",
    CNI_PATH: "/opt/cni/bin",
    CNI_ARGS: c.cniArgs,
  };
  const out: string[] = [];
  const exitCode = await runCni(
    {
      env,
      readStdin: () => Promise.resolve(Buffer.from(c.stdin)),
      writeStdout: (text) => {
        out.push(text);
        return Promise.resolve();
      },
      writeStderr: () => undefined,
    },
    depsFor(c),
  );
  return { exitCode, stdout: out.join("") };
}

/** The property: exit 0 with a result / version answer / nothing as the command allows, or exit 1 with an error. */
function checkAnswer(command: string, { exitCode, stdout }: { exitCode: number; stdout: string }): void {
  expect([0, 1]).toContain(exitCode);
  if (exitCode === 1) {
    const err = JSON.parse(stdout) as Record<string, unknown>;
    expect(typeof err.code).toBe("number");
    expect(typeof err.msg).toBe("string");
    expect(typeof err.cniVersion).toBe("string");
    expect(err.msg).not.toMatch(/\n\s+at /);
    return;
  }
  if (stdout === "") {
    expect(["DEL", "CHECK", "STATUS", "GC"]).toContain(command);
    return;
  }
  const reply = JSON.parse(stdout) as Record<string, unknown>;
  expect(typeof reply.cniVersion).toBe("string");
  expect(["ADD", "VERSION"]).toContain(command);
}

describe("netclaim cni under arbitrary input", () => {
  it("answers any command, stdin and CNI_ARGS with a reply the spec allows", async () => {
    await fc.assert(
      fc.asyncProperty(protocolCase, async (c) => checkAnswer(c.command, await answer(c))),
      { numRuns: 300 },
    );
  }, 120_000);

  it("answers an ADD (and the DEL after it) whatever the pod's annotations and the NADs' configs", async () => {
    await fc.assert(
      fc.asyncProperty(podCase, async (c) => {
        const containerId = `beef${++containers}`;
        checkAnswer("ADD", await answer(c, "ADD", containerId));
        const del = await answer(c, "DEL", containerId);
        checkAnswer("DEL", del);
        expect(del.exitCode).toBe(0); // the fake delegates' DEL always succeeds, so netclaim's must too
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});
