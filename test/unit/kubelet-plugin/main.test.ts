// `netclaim kubelet-plugin` flags: DESIGN.md's names and defaults, env NETCLAIM_<FLAG> and NODE_NAME,
// flags over env, every problem reported at once.
import { describe, expect, it } from "vitest";
import { resolveConfig } from "../../../src/common/config.ts";
import { KUBELET_PLUGIN_FLAGS } from "../../../src/kubelet-plugin/main.ts";
import {
  DEFAULT_KUBELET_PLUGINS_DIR,
  DEFAULT_KUBELET_REGISTRATION_DIR,
  DEFAULT_POD_RESOURCES_SOCKET,
} from "../../../src/k8s/kubelet-grpc.ts";

const required = { NODE_NAME: "node-a", NETCLAIM_DEVICES_CONFIG: "/etc/netclaim/devices.yaml" };

describe("kubelet-plugin flags", () => {
  it("has DESIGN.md's defaults", () => {
    const result = resolveConfig(KUBELET_PLUGIN_FLAGS, {}, required);
    expect(result).toMatchObject({
      ok: true,
      config: {
        nodeName: "node-a",
        driverName: "netclaim.dev",
        kubeletRegistrationDir: DEFAULT_KUBELET_REGISTRATION_DIR,
        kubeletPluginsDir: DEFAULT_KUBELET_PLUGINS_DIR,
        podResourcesSocket: DEFAULT_POD_RESOURCES_SOCKET,
        cdiDir: "/var/run/cdi",
        stateDir: "/var/lib/netclaim",
        sysfsRoot: "/sys",
        cniSocket: "/run/netclaim/cni.sock",
        logLevel: "info",
        resourceHealth: true,
        deleteResourceSlicesOnExit: false,
      },
    });
  });

  it.each([
    {
      name: "NETCLAIM_NODE_NAME over NODE_NAME",
      flags: {},
      env: { ...required, NETCLAIM_NODE_NAME: "node-b" },
      want: { nodeName: "node-b" },
    },
    { name: "a flag over env", flags: { nodeName: "node-c" }, env: required, want: { nodeName: "node-c" } },
    {
      name: "booleans and addresses from env",
      flags: {},
      env: { ...required, NETCLAIM_DELETE_RESOURCE_SLICES_ON_EXIT: "1", NETCLAIM_METRICS_ADDRESS: ":9090" },
      want: { deleteResourceSlicesOnExit: true, metricsAddress: ":9090" },
    },
    {
      name: "a bare boolean flag",
      flags: { resourceHealth: "false" },
      env: required,
      want: { resourceHealth: false },
    },
  ])("$name", ({ flags, env, want }) => {
    expect(resolveConfig(KUBELET_PLUGIN_FLAGS, flags, env)).toMatchObject({ ok: true, config: want });
  });

  it("reports every problem at once", () => {
    const result = resolveConfig(KUBELET_PLUGIN_FLAGS, { cdiDir: "relative", logLevel: "loud" }, {});
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      "--node-name is required: set --node-name or NETCLAIM_NODE_NAME or NODE_NAME",
      expect.stringContaining("--cdi-dir: invalid value"),
      "--devices-config is required: set --devices-config or NETCLAIM_DEVICES_CONFIG",
      expect.stringContaining("--log-level: invalid value"),
    ]);
  });
});
