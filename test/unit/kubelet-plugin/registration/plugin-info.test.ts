// GetInfo's answer and how registration notifications are read (pure).
import { describe, expect, it } from "vitest";
import {
  buildPluginInfo,
  registrationStateFrom,
} from "../../../../src/kubelet-plugin/registration/plugin-info.ts";
import { decideRegistration } from "../../../harness/kubelet/registration-decision.ts";

describe("buildPluginInfo", () => {
  it.each([
    {
      name: "DRA services only, v1 first",
      input: {
        driverName: "netclaim.dev",
        endpoint: "/k/plugins/netclaim.dev/dra.sock",
        resourceHealth: false,
      },
      want: ["v1.DRAPlugin", "v1beta1.DRAPlugin"],
    },
    {
      name: "with the resource health service last",
      input: {
        driverName: "netclaim.dev",
        endpoint: "/k/plugins/netclaim.dev/dra.sock",
        resourceHealth: true,
      },
      want: ["v1.DRAPlugin", "v1beta1.DRAPlugin", "v1alpha1.DRAResourceHealth"],
    },
  ])("$name", ({ input, want }) => {
    const info = buildPluginInfo(input);
    expect(info).toEqual({
      type: "DRAPlugin",
      name: "netclaim.dev",
      endpoint: input.endpoint,
      supported_versions: want,
    });
    // The stand-in kubelet's decision (upstream's rules) accepts it and picks v1.
    expect(decideRegistration(info, "/k/plugins_registry/netclaim.dev-reg.sock")).toEqual({
      ok: true,
      driverName: "netclaim.dev",
      endpoint: input.endpoint,
      service: "v1.DRAPlugin",
    });
  });

  it.each([
    {
      name: "empty driver name",
      input: { driverName: "", endpoint: "/a/dra.sock" },
      want: /empty driver name/,
    },
    {
      name: "relative endpoint",
      input: { driverName: "d", endpoint: "dra.sock" },
      want: /not an absolute path/,
    },
  ])("rejects $name", ({ input, want }) => {
    expect(() => buildPluginInfo({ ...input, resourceHealth: false })).toThrow(want);
  });
});

describe("registrationStateFrom", () => {
  it.each([
    {
      name: "registered",
      input: { plugin_registered: true, error: "" },
      want: { status: "registered", atMs: 5 },
    },
    {
      name: "rejected with a reason",
      input: { plugin_registered: false, error: "bad versions" },
      want: { status: "failed", error: "bad versions", atMs: 5 },
    },
    {
      name: "rejected without a reason",
      input: { plugin_registered: false, error: "" },
      want: { status: "failed", error: "(the kubelet gave no reason)", atMs: 5 },
    },
  ])("$name", ({ input, want }) => {
    expect(registrationStateFrom(input, 5)).toEqual(want);
  });
});
