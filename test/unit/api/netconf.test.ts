// netclaim's CNI config: Multus's fields, names, defaults and rules, and netclaim's additions
// (errors: netconf-errors.test.ts).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { mapLogLevel, NETCONF_DEFAULTS, parseNetConf } from "../../../src/api/netconf.ts";
import type { NetConf } from "../../../src/api/netconf.ts";

const FIXTURES = new URL("../../fixtures/cni-protocol/", import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), "utf8");

const minimal = { cniVersion: "1.0.0", name: "n", type: "netclaim", clusterNetwork: "k8s-pod-network" };

describe("parseNetConf: a thin config using every field", () => {
  const text = fixture("netconf-thin-every-field.json");
  const conf = parseNetConf(text);

  it("reads every Multus field with its JSON name", () => {
    expect(conf).toMatchObject({
      cniVersion: "1.0.0",
      name: "multus-cni-network",
      type: "netclaim",
      kubeconfig: "/etc/cni/net.d/multus.d/multus.kubeconfig",
      confDir: "/etc/cni/multus/net.d",
      cniDir: "/var/lib/cni/multus",
      binDir: "/opt/cni/bin",
      logFile: "/var/log/multus.log",
      logLevel: "debug",
      logToStderr: false,
      logOptions: { maxAge: 7, maxSize: 50, maxBackups: 3, compress: false },
      capabilities: { portMappings: true, bandwidth: true },
      readinessindicatorfile: "/run/flannel/subnet.env",
      namespaceIsolation: true,
      globalNamespaces: ["default", "shared-nets", "tenant-a"],
      clusterNetwork: "k8s-pod-network",
      clusterNetworkRef: { kind: "name", name: "k8s-pod-network" },
      defaultNetworks: ["sidecar-crd", "kube-system/monitoring", "/etc/cni/multus/net.d/99-extra.conflist"],
      defaultNetworkRefs: [
        { kind: "name", name: "sidecar-crd" },
        { kind: "nad", namespace: "kube-system", name: "monitoring" },
        { kind: "path", path: "/etc/cni/multus/net.d/99-extra.conflist" },
      ],
      systemNamespaces: ["kube-system", "admin"],
      multusNamespace: "kube-system",
      retryDeleteOnError: true,
      auxiliaryCNIChainName: "vendor-chain",
    } satisfies Partial<NetConf>);
  });

  it("reads netclaim's fields", () => {
    expect(conf.daemonSocket).toBe("/run/netclaim/cni.sock");
    expect(conf.podResourcesSocket).toBe("/var/lib/kubelet/pod-resources/kubelet.sock");
    expect(conf.driverName).toBe("netclaim.example.com");
  });

  it("ignores delegates when clusterNetwork is set, with a warning", () => {
    expect(conf.delegates).toEqual([]);
    expect(conf.warnings).toEqual(['"delegates" is ignored because "clusterNetwork" is set']);
  });

  const given = JSON.parse(text) as Record<string, unknown>;

  it("passes runtimeConfig through, unknown capabilities included", () => {
    expect(conf.runtimeConfig).toEqual(given.runtimeConfig);
    expect(conf.runtimeConfig.someFutureCapability).toEqual({ anything: [1, 2, 3] });
  });

  it("keeps prevResult as JSON and every unknown top-level key in raw", () => {
    expect(conf.prevResult).toEqual(given.prevResult);
    expect(conf.raw).toEqual(given);
    expect(conf.raw.Note1).toBe("NOTE: you can set clusterNetwork+defaultNetworks OR delegates!!");
    expect(conf.raw.globalNamespaces).toBe("default, shared-nets ,tenant-a");
  });

  it("reads the same from bytes and from a parsed object", () => {
    expect(parseNetConf(Buffer.from(text))).toEqual(conf);
    expect(parseNetConf(JSON.parse(text) as Record<string, unknown>)).toEqual(conf);
  });
});

describe("parseNetConf: other config forms", () => {
  it("a generated thick-style config: clusterNetwork as a file path, verbose logging", () => {
    const conf = parseNetConf(fixture("netconf-thick-generated.json"));
    expect(conf.clusterNetworkRef).toEqual({ kind: "path", path: "/host/etc/cni/net.d/10-calico.conflist" });
    expect(conf.logLevel).toBe("info");
    expect(conf.daemonSocket).toBe("/run/netclaim/cni.sock");
    expect(conf.warnings).toEqual([]);
  });

  it("static delegates: the first a conflist, the second a single plugin, every key kept", () => {
    const text = fixture("netconf-static-delegates.json");
    const conf = parseNetConf(text);
    const raw = JSON.parse(text) as { delegates: Record<string, unknown>[] };
    expect(conf.clusterNetworkRef).toBeUndefined();
    expect(conf.delegates.map((d) => [d.kind, d.name, d.plugins.length])).toEqual([
      ["conflist", "cluster", 2],
      ["conf", "side", 1],
    ]);
    expect(conf.delegates[0]?.plugins).toEqual(raw.delegates[0]?.plugins);
    expect(conf.delegates[1]?.plugins).toEqual([raw.delegates[1]]);
    expect(conf.delegates[0]?.source).toBe("netclaim config delegates[0]");
  });
});

describe("parseNetConf: defaults", () => {
  const conf = parseNetConf(minimal);
  const cases: { field: keyof NetConf; want: unknown }[] = [
    { field: "confDir", want: "/etc/cni/multus/net.d" },
    { field: "cniDir", want: "/var/lib/cni/multus" },
    { field: "binDir", want: "/opt/cni/bin" },
    { field: "kubeconfig", want: "" },
    { field: "readinessindicatorfile", want: "" },
    { field: "namespaceIsolation", want: false },
    { field: "globalNamespaces", want: ["default"] },
    { field: "systemNamespaces", want: ["kube-system"] },
    { field: "multusNamespace", want: "kube-system" },
    { field: "defaultNetworks", want: [] },
    { field: "defaultNetworkRefs", want: [] },
    { field: "delegates", want: [] },
    { field: "logLevel", want: "fatal" },
    { field: "logFile", want: "" },
    { field: "logToStderr", want: true },
    { field: "logOptions", want: { maxAge: 5, maxSize: 100, maxBackups: 5, compress: true } },
    { field: "capabilities", want: {} },
    { field: "runtimeConfig", want: {} },
    { field: "prevResult", want: undefined },
    { field: "auxiliaryCNIChainName", want: "" },
    { field: "retryDeleteOnError", want: false },
    { field: "daemonSocket", want: undefined },
    { field: "podResourcesSocket", want: "/var/lib/kubelet/pod-resources/kubelet.sock" },
    { field: "driverName", want: "netclaim.dev" },
    { field: "warnings", want: [] },
  ];
  it.each(cases)("$field", ({ field, want }) => {
    expect(conf[field]).toEqual(want);
  });

  it("null counts as absent; for systemNamespaces it clears the list (Go's decoder)", () => {
    const nulls = parseNetConf({
      ...minimal,
      confDir: null,
      namespaceIsolation: null,
      logOptions: null,
      systemNamespaces: null,
    });
    expect([nulls.confDir, nulls.namespaceIsolation, nulls.logOptions.maxAge]).toEqual([
      NETCONF_DEFAULTS.confDir,
      false,
      5,
    ]);
    expect(nulls.systemNamespaces).toEqual([]);
  });

  it("an empty directory or socket path means the default", () => {
    const empty = parseNetConf({
      ...minimal,
      confDir: "",
      cniDir: "",
      binDir: "",
      podResourcesSocket: "",
      multusNamespace: "",
    });
    expect([
      empty.confDir,
      empty.cniDir,
      empty.binDir,
      empty.podResourcesSocket,
      empty.multusNamespace,
    ]).toEqual([
      NETCONF_DEFAULTS.confDir,
      NETCONF_DEFAULTS.cniDir,
      NETCONF_DEFAULTS.binDir,
      NETCONF_DEFAULTS.podResourcesSocket,
      "kube-system",
    ]);
  });

  it("partial logOptions keep the other defaults", () => {
    expect(parseNetConf({ ...minimal, logOptions: { maxSize: 10 } }).logOptions).toEqual({
      maxAge: 5,
      maxSize: 10,
      maxBackups: 5,
      compress: true,
    });
  });
});

describe("parseNetConf: globalNamespaces (a comma-separated string, as in Multus)", () => {
  const cases: { name: string; value: unknown; want: string[] }[] = [
    { name: "absent: default is global", value: undefined, want: ["default"] },
    { name: "empty: default is global", value: "", want: ["default"] },
    { name: "a list replaces default", value: "a,b", want: ["a", "b"] },
    { name: "items are trimmed", value: " a , b ", want: ["a", "b"] },
    { name: "default only when listed", value: "default,x", want: ["default", "x"] },
    { name: "empty items dropped", value: "a,,b,", want: ["a", "b"] },
    { name: "only separators: nothing is global", value: " , ", want: [] },
  ];
  it.each(cases)("$name", ({ value, want }) => {
    expect(parseNetConf({ ...minimal, globalNamespaces: value }).globalNamespaces).toEqual(want);
  });
});

describe("mapLogLevel / logLevel", () => {
  const cases: { level: string; want: string | undefined }[] = [
    { level: "debug", want: "debug" },
    { level: "verbose", want: "info" },
    { level: "error", want: "error" },
    { level: "panic", want: "fatal" },
    { level: "DEBUG", want: "debug" },
    { level: "Verbose", want: "info" },
    { level: "", want: "fatal" },
    { level: "warn", want: "warn" },
    { level: "trace", want: "trace" },
    { level: "loud", want: undefined },
  ];
  it.each(cases)("$level", ({ level, want }) => {
    expect(mapLogLevel(level)).toBe(want);
  });

  it("an unknown level is ignored with a warning, as Multus does", () => {
    const conf = parseNetConf({ ...minimal, logLevel: "loud" });
    expect(conf.logLevel).toBe("fatal");
    expect(conf.warnings).toEqual([
      'unknown logLevel "loud" ignored (expected debug, verbose, error or panic)',
    ]);
  });
});
