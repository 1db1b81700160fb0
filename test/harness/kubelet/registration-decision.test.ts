import { describe, expect, it } from "vitest";
import { chooseDraService, decideRegistration } from "./registration-decision.ts";

const SOCKET = "/var/lib/kubelet/plugins_registry/netclaim.dev-reg.sock";
const info = (over: Partial<Parameters<typeof decideRegistration>[0]> = {}) => ({
  type: "DRAPlugin",
  name: "netclaim.dev",
  endpoint: "/var/lib/kubelet/plugins/netclaim.dev/dra.sock",
  supported_versions: ["v1.DRAPlugin", "v1beta1.DRAPlugin"],
  ...over,
});

describe("chooseDraService", () => {
  it.each([
    { name: "v1 first", supported: ["v1.DRAPlugin", "v1beta1.DRAPlugin"], want: { service: "v1.DRAPlugin" } },
    {
      name: "plugin order wins",
      supported: ["v1beta1.DRAPlugin", "v1.DRAPlugin"],
      want: { service: "v1beta1.DRAPlugin" },
    },
    {
      name: "skips services the kubelet does not use for prepare",
      supported: ["v1alpha1.DRAResourceHealth", "v1beta1.DRAPlugin"],
      want: { service: "v1beta1.DRAPlugin" },
    },
    {
      name: "empty list",
      supported: [],
      want: { error: "empty list of supported gRPC services (aka supported versions)" },
    },
    {
      name: "nothing in common",
      supported: ["v1alpha3.NodeService", "1.0.0"],
      want: {
        error:
          'none of services supported by the plugin (["v1alpha3.NodeService","1.0.0"]) are supported by the kubelet (["v1.DRAPlugin","v1beta1.DRAPlugin"])',
      },
    },
  ])("$name", ({ supported, want }) => {
    expect(chooseDraService(supported)).toEqual(want);
  });

  it("a kubelet that only knows v1beta1 picks it even when the plugin lists v1 first", () => {
    expect(chooseDraService(["v1.DRAPlugin", "v1beta1.DRAPlugin"], ["v1beta1.DRAPlugin"])).toEqual({
      service: "v1beta1.DRAPlugin",
    });
  });
});

describe("decideRegistration", () => {
  it.each([
    {
      name: "accepts a DRA plugin",
      info: info(),
      want: {
        ok: true,
        driverName: "netclaim.dev",
        endpoint: "/var/lib/kubelet/plugins/netclaim.dev/dra.sock",
        service: "v1.DRAPlugin",
      },
    },
    {
      name: "empty endpoint means the registration socket",
      info: info({ endpoint: "" }),
      want: { ok: true, driverName: "netclaim.dev", endpoint: SOCKET, service: "v1.DRAPlugin" },
    },
    {
      name: "other plugin types have no handler",
      info: info({ type: "CSIPlugin" }),
      want: {
        ok: false,
        error: `RegisterPlugin error -- no handler registered for plugin type: CSIPlugin at socket ${SOCKET}`,
      },
    },
    {
      name: "relative endpoint",
      info: info({ endpoint: "dra.sock" }),
      want: {
        ok: false,
        error: "RegisterPlugin error -- endpoint dra.sock of plugin netclaim.dev is not absolute",
      },
    },
    {
      name: "no usable service",
      info: info({ supported_versions: [] }),
      want: {
        ok: false,
        error:
          "RegisterPlugin error -- plugin validation failed with err: invalid supported gRPC versions of DRA driver plugin " +
          "netclaim.dev at endpoint /var/lib/kubelet/plugins/netclaim.dev/dra.sock: empty list of supported gRPC services (aka supported versions)",
      },
    },
  ])("$name", ({ info: given, want }) => {
    expect(decideRegistration(given, SOCKET)).toEqual(want);
  });
});
