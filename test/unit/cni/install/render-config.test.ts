// netclaim's generated config: what the runtime hands the plugin parses with parseNetConf and carries the
// master as clusterNetwork, the master's version and enabled capabilities (union over a conflist's
// plugins), the passthrough fields; .conf below CNI 1.0.0, .conflist from it; a bad master is refused.
import { describe, expect, it } from "vitest";
import { parseNetConf } from "../../../../src/api/netconf.ts";
import {
  masterCapabilities,
  NETCLAIM_NETWORK_NAME,
  renderNetclaimConfig,
} from "../../../../src/cni/install/render-config.ts";
import type { NetclaimConfigOptions } from "../../../../src/cni/install/render-config.ts";

const calico031 = JSON.stringify({
  cniVersion: "0.3.1",
  name: "k8s-pod-network",
  plugins: [
    { type: "calico", ipam: { type: "calico-ipam" } },
    { type: "portmap", capabilities: { portMappings: true, snat: false } },
    { type: "bandwidth", capabilities: { bandwidth: true } },
    { type: "tuning", capabilities: { portMappings: true } },
  ],
});
const bridge100 = JSON.stringify({
  cniVersion: "1.0.0",
  name: "cbr0",
  plugins: [{ type: "bridge", bridge: "cni0", capabilities: { ips: true } }],
});
const single040 = JSON.stringify({
  cniVersion: "0.4.0",
  name: "flannel",
  type: "flannel",
  capabilities: { portMappings: true, dns: false },
});

const base = (masterText: string, extra: Partial<NetclaimConfigOptions> = {}): NetclaimConfigOptions => ({
  masterPath: "/etc/cni/net.d/10-master.conflist",
  masterText,
  kubeconfig: "/etc/cni/net.d/netclaim.d/netclaim.kubeconfig",
  ...extra,
});

describe("renderNetclaimConfig", () => {
  const cases: {
    name: string;
    options: NetclaimConfigOptions;
    file: string;
    version: string;
    capabilities: Record<string, boolean>;
  }[] = [
    {
      name: "a 0.3.1 conflist: .conf, capabilities unioned over the plugins (enabled only)",
      options: base(calico031),
      file: "00-netclaim.conf",
      version: "0.3.1",
      capabilities: { bandwidth: true, portMappings: true },
    },
    {
      name: "a 1.0.0 conflist: .conflist",
      options: base(bridge100),
      file: "00-netclaim.conflist",
      version: "1.0.0",
      capabilities: { ips: true },
    },
    {
      name: "a single-plugin master: its own capabilities",
      options: base(single040),
      file: "00-netclaim.conf",
      version: "0.4.0",
      capabilities: { portMappings: true },
    },
  ];
  it.each(cases)("$name", ({ options, file, version, capabilities }) => {
    const rendered = renderNetclaimConfig(options);
    expect(rendered.fileName).toBe(file);
    const netconf = parseNetConf(rendered.pluginConfig);
    expect(netconf.type).toBe("netclaim");
    expect(netconf.cniVersion).toBe(version);
    expect(netconf.name).toBe(NETCLAIM_NETWORK_NAME);
    expect(netconf.clusterNetwork).toBe(options.masterPath);
    expect(netconf.clusterNetworkRef).toEqual({ kind: "path", path: options.masterPath });
    expect(netconf.kubeconfig).toBe(options.kubeconfig);
    expect(netconf.capabilities).toEqual(capabilities);
    expect(netconf.warnings).toEqual([]);
  });

  it("writes a conflist the runtime can read: netclaim is its only plugin, name and version on the list", () => {
    const rendered = renderNetclaimConfig(base(bridge100));
    const file = JSON.parse(rendered.text) as { cniVersion: string; name: string; plugins: unknown[] };
    expect(file.cniVersion).toBe("1.0.0");
    expect(file.name).toBe(NETCLAIM_NETWORK_NAME);
    expect(file.plugins).toHaveLength(1);
    const [plugin] = file.plugins as Record<string, unknown>[];
    expect(plugin).toMatchObject({ type: "netclaim", clusterNetwork: "/etc/cni/net.d/10-master.conflist" });
    expect(plugin).not.toHaveProperty("cniVersion");
    // what the runtime hands the plugin: the entry plus the list's name and version
    expect(rendered.pluginConfig).toEqual({ ...plugin, name: file.name, cniVersion: file.cniVersion });
  });

  it("passes the optional fields through, leaving unset ones out", () => {
    const rendered = renderNetclaimConfig(
      base(calico031, {
        readinessIndicatorFile: "/run/flannel/subnet.env",
        daemonSocket: "/run/netclaim/cni.sock",
        stateDir: "/var/lib/netclaim-b",
        deviceInfoDir: "/run/devinfo",
        cniDir: "/var/lib/cni/netclaim",
        binDir: "/opt/extra/bin",
        namespaceIsolation: true,
        globalNamespaces: "default,shared",
        logLevel: "verbose",
        logFile: "/var/log/netclaim.log",
        logToStderr: false,
      }),
    );
    const netconf = parseNetConf(rendered.pluginConfig);
    expect(netconf).toMatchObject({
      readinessindicatorfile: "/run/flannel/subnet.env",
      daemonSocket: "/run/netclaim/cni.sock",
      stateDir: "/var/lib/netclaim-b",
      deviceInfoDir: "/run/devinfo",
      cniDir: "/var/lib/cni/netclaim",
      binDir: "/opt/extra/bin",
      namespaceIsolation: true,
      globalNamespaces: ["default", "shared"],
      logLevel: "info",
      logFile: "/var/log/netclaim.log",
      logToStderr: false,
    });
    const minimal = renderNetclaimConfig({ masterPath: "/m.conf", masterText: single040 }).pluginConfig;
    expect(Object.keys(minimal).sort()).toEqual([
      "capabilities",
      "clusterNetwork",
      "cniVersion",
      "name",
      "type",
    ]);
  });

  it("takes the master's name with overrideNetworkName", () => {
    const rendered = renderNetclaimConfig(base(calico031, { overrideNetworkName: true }));
    expect(parseNetConf(rendered.pluginConfig).name).toBe("k8s-pod-network");
  });

  it("accepts a --cni-version equal to the master's", () => {
    expect(renderNetclaimConfig(base(calico031, { cniVersion: "0.3.1" })).cniVersion).toBe("0.3.1");
  });

  const bad: { name: string; options: NetclaimConfigOptions; want: RegExp }[] = [
    { name: "not JSON", options: base("{ half"), want: /not valid JSON/ },
    { name: "not an object", options: base("[1]"), want: /expected a JSON object/ },
    {
      name: "no type and no plugins",
      options: base(JSON.stringify({ cniVersion: "0.3.1", name: "x" })),
      want: /not a CNI config/,
    },
    {
      name: "no cniVersion",
      options: base(JSON.stringify({ name: "x", type: "bridge" })),
      want: /has no "cniVersion"/,
    },
    {
      name: "a version netclaim does not speak",
      options: base(JSON.stringify({ cniVersion: "9.0.0", name: "x", type: "bridge" })),
      want: /not one netclaim supports/,
    },
    {
      name: "a --cni-version that differs",
      options: base(calico031, { cniVersion: "1.0.0" }),
      want: /while --cni-version asks for "1.0.0"/,
    },
  ];
  it.each(bad)("refuses a master: $name", ({ options, want }) => {
    let caught: unknown;
    try {
      renderNetclaimConfig(options);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: "INVALID_MASTER" });
    expect((caught as Error).message).toMatch(want);
    expect((caught as Error).message).toContain(options.masterPath);
  });
});

describe("masterCapabilities", () => {
  const cases: { name: string; master: Record<string, unknown>; want: Record<string, true> }[] = [
    { name: "no capabilities", master: { type: "bridge" }, want: {} },
    {
      name: "a conflist ignores its top-level capabilities, as Multus does",
      master: { capabilities: { top: true }, plugins: [{ type: "a", capabilities: { p: true } }] },
      want: { p: true },
    },
    {
      name: "a later plugin's false does not remove an earlier true",
      master: {
        plugins: [
          { type: "a", capabilities: { x: true } },
          { type: "b", capabilities: { x: false } },
        ],
      },
      want: { x: true },
    },
    {
      name: "non-boolean values are ignored",
      master: { type: "a", capabilities: { x: "true", y: true } },
      want: { y: true },
    },
  ];
  it.each(cases)("$name", ({ master, want }) => {
    expect(masterCapabilities(master)).toEqual(want);
  });
});
