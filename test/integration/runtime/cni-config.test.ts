// The pure parts of the runtime stand-in: how it reads configs and builds what a plugin receives,
// checked against libcni's and containerd's documented behaviour.
import { describe, expect, it } from "vitest";
import {
  buildListCommandConfig,
  buildPluginConfig,
  capabilityArgsFor,
  cniArgsFor,
  compareVersions,
  decodeCacheEntry,
  encodeCacheEntry,
  parseBandwidthQuantity,
  parseNetworkConfig,
  parsePluginFailure,
  pluginEnv,
  validateAttachment,
} from "../../harness/runtime/index.ts";
import type { CacheEntry, PodSandboxConfig } from "../../harness/runtime/index.ts";

describe("parseNetworkConfig", () => {
  const cases = [
    {
      name: "a single .conf is up-converted to a one-plugin list",
      input: { cniVersion: "1.0.0", name: "n", type: "bridge", bridge: "br0" },
      want: { name: "n", cniVersion: "1.0.0", types: ["bridge"], disableCheck: false },
    },
    {
      name: "a conflist keeps its plugins in order",
      input: { cniVersion: "0.4.0", name: "l", plugins: [{ type: "a" }, { type: "b" }] },
      want: { name: "l", cniVersion: "0.4.0", types: ["a", "b"], disableCheck: false },
    },
    {
      name: "cniVersions picks the highest version this implementation knows",
      input: { name: "v", cniVersions: ["0.4.0", "1.0.0", "9.9.9"], plugins: [{ type: "a" }] },
      want: { name: "v", cniVersion: "1.0.0", types: ["a"], disableCheck: false },
    },
    {
      name: "disableCheck may be a string",
      input: { cniVersion: "1.0.0", name: "d", disableCheck: "TRUE", plugins: [{ type: "a" }] },
      want: { name: "d", cniVersion: "1.0.0", types: ["a"], disableCheck: true },
    },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    const list = parseNetworkConfig(JSON.stringify(input));
    expect({
      name: list.name,
      cniVersion: list.cniVersion,
      types: list.plugins.map((p) => p.type),
      disableCheck: list.disableCheck,
    }).toEqual(want);
    expect(JSON.parse(list.bytes)).toMatchObject({ name: want.name });
  });

  const bad = [
    { name: "no name", input: { cniVersion: "1.0.0", type: "bridge" }, want: /no name/ },
    { name: "empty plugins", input: { name: "x", plugins: [] }, want: /no plugins/ },
    { name: "plugin without type", input: { name: "x", plugins: [{}] }, want: /missing 'type'/ },
    {
      name: "bad disableCheck",
      input: { name: "x", disableCheck: 1, plugins: [{ type: "a" }] },
      want: /disableCheck/,
    },
  ];
  it.each(bad)("rejects $name", ({ input, want }) => {
    expect(() => parseNetworkConfig(input)).toThrow(want);
  });

  it("rejects text that is not JSON", () => {
    expect(() => parseNetworkConfig("{nope")).toThrow(/error parsing configuration/);
  });
});

describe("buildPluginConfig", () => {
  const list = parseNetworkConfig({ cniVersion: "1.0.0", name: "net", plugins: [{ type: "x" }] });
  const cases = [
    {
      name: "injects name and cniVersion, keys sorted",
      plugin: { type: "x", zeta: 1, alpha: { b: 1, a: 2 } },
      prevResult: undefined,
      capabilityArgs: {},
      wantText: '{"alpha":{"a":2,"b":1},"cniVersion":"1.0.0","name":"net","type":"x","zeta":1}',
    },
    {
      name: "adds prevResult when there is one",
      plugin: { type: "x" },
      prevResult: { cniVersion: "1.0.0", ips: [] },
      capabilityArgs: {},
      wantText: '{"cniVersion":"1.0.0","name":"net","prevResult":{"cniVersion":"1.0.0","ips":[]},"type":"x"}',
    },
    {
      name: "runtimeConfig holds only enabled capabilities and replaces the plugin's own",
      plugin: {
        type: "x",
        capabilities: { portMappings: true, bandwidth: false, mac: true },
        runtimeConfig: { old: 1 },
      },
      prevResult: undefined,
      capabilityArgs: {
        portMappings: [{ HostPort: 80 }],
        bandwidth: { IngressRate: 1 },
        ips: ["10.0.0.1/24"],
      },
      wantText:
        '{"capabilities":{"bandwidth":false,"mac":true,"portMappings":true},"cniVersion":"1.0.0","name":"net",' +
        '"runtimeConfig":{"portMappings":[{"HostPort":80}]},"type":"x"}',
    },
  ];
  it.each(cases)("$name", ({ plugin, prevResult, capabilityArgs, wantText }) => {
    expect(JSON.stringify(buildPluginConfig({ list, plugin, prevResult, capabilityArgs }))).toBe(wantText);
  });

  it("GC config carries cni.dev/valid-attachments, STATUS config does not", () => {
    const gc = buildListCommandConfig(list, { type: "x" }, [{ containerID: "c1", ifname: "eth0" }]);
    expect(gc).toEqual({
      cniVersion: "1.0.0",
      "cni.dev/valid-attachments": [{ containerID: "c1", ifname: "eth0" }],
      name: "net",
      type: "x",
    });
    expect(buildListCommandConfig(list, { type: "x" })).toEqual({
      cniVersion: "1.0.0",
      name: "net",
      type: "x",
    });
  });
});

describe("capabilityArgsFor", () => {
  const config: PodSandboxConfig = {
    namespace: "ns",
    name: "p",
    uid: "u",
    annotations: { "kubernetes.io/ingress-bandwidth": "10M", a: "b" },
    portMappings: [
      { containerPort: 8080, hostPort: 80, protocol: "TCP" },
      { containerPort: 9090, hostPort: 0 },
    ],
    dnsConfig: { servers: ["10.96.0.10"], searches: ["svc"] },
    cgroupParent: "/kubepods/pod-u",
  };
  const cases = [
    {
      name: "containerd: Go field names, burst MaxUint32, dns, cgroupPath, annotations",
      flavor: "containerd" as const,
      config,
      want: {
        "io.kubernetes.cri.pod-annotations": { "kubernetes.io/ingress-bandwidth": "10M", a: "b" },
        portMappings: [{ HostPort: 80, ContainerPort: 8080, Protocol: "tcp", HostIP: "" }],
        bandwidth: { IngressRate: 10_000_000, IngressBurst: 4_294_967_295, EgressRate: 0, EgressBurst: 0 },
        dns: { Servers: ["10.96.0.10"], Searches: ["svc"], Options: null },
        cgroupPath: "/kubepods/pod-u",
      },
    },
    {
      name: "containerd: a pod without annotations gets null (a nil Go map)",
      flavor: "containerd" as const,
      config: { namespace: "ns", name: "p", uid: "u" },
      want: { "io.kubernetes.cri.pod-annotations": null },
    },
    {
      name: "cri-o: camelCase keys, no dns",
      flavor: "cri-o" as const,
      config,
      want: {
        "io.kubernetes.cri.pod-annotations": { "kubernetes.io/ingress-bandwidth": "10M", a: "b" },
        portMappings: [{ hostPort: 80, containerPort: 8080, protocol: "tcp", hostIP: "" }],
        bandwidth: { ingressRate: 10_000_000, ingressBurst: 4_294_967_295, egressRate: 0, egressBurst: 0 },
        cgroupPath: "/kubepods/pod-u",
      },
    },
    {
      name: "extra capability args are passed as given",
      flavor: "cri-o" as const,
      config: {
        namespace: "ns",
        name: "p",
        uid: "u",
        extraCapabilityArgs: { ips: ["10.1.1.5/24"], mac: "02:00:00:00:00:01" },
      },
      want: { ips: ["10.1.1.5/24"], mac: "02:00:00:00:00:01" },
    },
  ];
  it.each(cases)("$name", ({ flavor, config, want }) => {
    expect(capabilityArgsFor(flavor, config)).toEqual(want);
  });

  const quantities = [
    { text: "10M", want: 10_000_000 },
    { text: "1Mi", want: 1_048_576 },
    { text: "1.5k", want: 1500 },
    { text: "2500", want: 2500 },
  ];
  it.each(quantities)("bandwidth quantity $text = $want bit/s", ({ text, want }) => {
    expect(parseBandwidthQuantity(text)).toBe(want);
  });
  it.each(["999", "2P", "10X", ""])("bandwidth quantity %j is rejected", (text) => {
    expect(() => parseBandwidthQuantity(text)).toThrow();
  });
});

describe("CNI_ARGS and environment", () => {
  it("CNI_ARGS carries IgnoreUnknown and the K8S_POD_* pairs, CNI_* in libcni's order", () => {
    const env = pluginEnv({
      command: "ADD",
      containerId: "abc",
      netns: "/run/netns/x",
      cniArgs: cniArgsFor("abc", { namespace: "ns1", name: "pod1", uid: "uid-1" }),
      ifName: "eth0",
      cniPath: ["/a", "/b"],
    });
    expect(Object.entries(env)).toEqual([
      ["CNI_COMMAND", "ADD"],
      ["CNI_CONTAINERID", "abc"],
      ["CNI_NETNS", "/run/netns/x"],
      [
        "CNI_ARGS",
        "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns1;K8S_POD_NAME=pod1;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=uid-1",
      ],
      ["CNI_IFNAME", "eth0"],
      ["CNI_PATH", "/a:/b"],
    ]);
  });

  const attachments = [
    { name: "valid", id: "abc-1.x_y", net: "net", ifName: "eth0", ok: true },
    { name: "container id starting with a dash", id: "-abc", net: "net", ifName: "eth0", ok: false },
    { name: "network name with a slash", id: "abc", net: "a/b", ifName: "eth0", ok: false },
    { name: "interface name too long", id: "abc", net: "net", ifName: "a234567890123456", ok: false },
    { name: "interface name with a colon", id: "abc", net: "net", ifName: "eth0:1", ok: false },
  ];
  it.each(attachments)("validateAttachment: $name", ({ id, net, ifName, ok }) => {
    const run = () => validateAttachment(id, net, ifName);
    if (ok) expect(run).not.toThrow();
    else expect(run).toThrow(/invalid/);
  });

  it("compares versions numerically", () => {
    expect(compareVersions("0.10.0", "0.9.0")).toBeGreaterThan(0);
    expect(compareVersions("1.0.0", "1.0.0")).toBe(0);
    expect(() => compareVersions("1.0", "1.0.0")).toThrow(/invalid CNI version/);
  });
});

describe("parsePluginFailure", () => {
  const base = { plugin: "bridge", command: "ADD", exitCode: 1 };
  const cases = [
    {
      name: "the plugin's JSON error",
      stdout: '{"code":7,"msg":"bad config","details":"no bridge"}',
      stderr: "",
      want: { code: 7, msg: "bad config", details: "no bridge" },
    },
    {
      name: "no output at all",
      stdout: "",
      stderr: "",
      want: { code: 0, msg: "netplugin failed with no error message: exit status 1" },
    },
    {
      name: "only stderr",
      stdout: "",
      stderr: "panic!",
      want: { code: 0, msg: 'netplugin failed: "panic!": exit status 1' },
    },
  ];
  it.each(cases)("$name", ({ stdout, stderr, want }) => {
    expect(parsePluginFailure({ ...base, stdout, stderr })).toMatchObject(want);
  });
  it("reports unparseable stdout as such", () => {
    expect(parsePluginFailure({ ...base, stdout: "oops", stderr: "" }).msg).toMatch(
      /error parsing its diagnostic message "oops"/,
    );
  });
});

describe("result cache format", () => {
  it("round-trips, with the config base64-encoded like a Go []byte", () => {
    const entry: CacheEntry = {
      containerId: "c1",
      config: '{"name":"n"}',
      ifName: "eth0",
      networkName: "n",
      netns: "/run/netns/p",
      cniArgs: [["IgnoreUnknown", "1"]],
      capabilityArgs: { portMappings: [] },
      result: { cniVersion: "1.0.0" },
    };
    const text = encodeCacheEntry(entry);
    expect(JSON.parse(text)).toMatchObject({
      kind: "cniCacheV1",
      config: Buffer.from('{"name":"n"}').toString("base64"),
    });
    expect(Object.keys(JSON.parse(text) as object)).toEqual([
      "kind",
      "containerId",
      "config",
      "ifName",
      "networkName",
      "netns",
      "cniArgs",
      "capabilityArgs",
      "result",
    ]);
    expect(decodeCacheEntry(text)).toEqual(entry);
  });
  it("refuses a file of another kind", () => {
    expect(() => decodeCacheEntry('{"kind":"other"}')).toThrow(/wrong kind/);
  });
});
