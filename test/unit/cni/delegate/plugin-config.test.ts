import { describe, expect, it } from "vitest";
import {
  buildListCommandStdin,
  buildPluginStdin,
  toDelegateNetwork,
} from "../../../../src/cni/delegate/plugin-config.ts";

describe("toDelegateNetwork", () => {
  it.each([
    {
      name: "a single plugin becomes a one-plugin list",
      config: { cniVersion: "0.3.1", name: "a", type: "macvlan", master: "eth1" },
      want: {
        name: "a",
        cniVersion: "0.3.1",
        disableCheck: false,
        disableGC: false,
        isList: false,
        plugins: [{ cniVersion: "0.3.1", name: "a", type: "macvlan", master: "eth1" }],
      },
    },
    {
      name: "a conflist keeps every key of every plugin",
      config: {
        cniVersion: "1.0.0",
        name: "l",
        disableCheck: true,
        plugins: [
          { type: "bridge", x: { y: 1 } },
          { type: "tuning", mtu: 1400 },
        ],
      },
      want: {
        name: "l",
        cniVersion: "1.0.0",
        disableCheck: true,
        disableGC: false,
        isList: true,
        plugins: [
          { type: "bridge", x: { y: 1 } },
          { type: "tuning", mtu: 1400 },
        ],
      },
    },
    {
      name: "disable flags as strings",
      config: {
        cniVersion: "1.1.0",
        name: "l",
        disableCheck: "False",
        disableGC: "TRUE",
        plugins: [{ type: "b" }],
      },
      want: { disableCheck: false, disableGC: true },
    },
    {
      name: "cniVersions picks the highest supported",
      config: {
        cniVersions: ["0.4.0", "1.1.0", "9.0.0"],
        cniVersion: "0.3.1",
        name: "l",
        plugins: [{ type: "b" }],
      },
      want: { cniVersion: "1.1.0" },
    },
    {
      name: "no version at all",
      config: { name: "l", plugins: [{ type: "b" }] },
      want: { cniVersion: "" },
    },
  ])("$name", ({ config, want }) => {
    expect(toDelegateNetwork(config)).toMatchObject(want);
  });

  it.each([
    {
      name: "neither type nor plugins",
      config: { name: "x" },
      message: 'config "x" has neither a type nor plugins',
    },
    { name: "empty plugins", config: { name: "x", plugins: [] }, message: 'config list "x" has no plugins' },
    {
      name: "plugins not a list",
      config: { name: "x", plugins: {} },
      message: 'config list "x" has no plugins',
    },
    {
      name: "a plugin without type",
      config: { name: "x", plugins: [{ type: "a" }, { mtu: 1 }] },
      message: "plugin 1 of the list has no type",
    },
    {
      name: "a plugin not an object",
      config: { name: "x", plugins: ["bridge"] },
      message: "plugin 0 of the list is not an object",
    },
    {
      name: "a bad flag",
      config: { name: "x", disableCheck: 1, plugins: [{ type: "a" }] },
      message: "invalid disableCheck 1: expected true or false",
    },
    {
      name: "bad cniVersions",
      config: { name: "x", cniVersions: "1.0.0", plugins: [{ type: "a" }] },
      message: "cniVersions must be a list of strings",
    },
    {
      name: "name not a string",
      config: { name: 3, type: "a" },
      message: "the config's name is not a string",
    },
  ])("rejects $name", ({ config, message }) => {
    expect(() => toDelegateNetwork(config)).toThrow(
      expect.objectContaining({ code: "INVALID_NETWORK_CONFIG", message }),
    );
  });
});

describe("buildPluginStdin", () => {
  const network = { name: "net-a", cniVersion: "1.0.0" };

  it("injects name, version, prevResult and the declared capabilities, keys sorted at every depth", () => {
    const stdin = buildPluginStdin({
      network,
      plugin: { type: "tuning", name: "ignored", capabilities: { mac: true }, z: { b: 1, a: 2 } },
      prevResult: { ips: [], cniVersion: "1.0.0" },
      runtimeConfig: { mac: "02:00:00:00:00:09", portMappings: [] },
    });
    expect(JSON.stringify(stdin)).toBe(
      JSON.stringify({
        capabilities: { mac: true },
        cniVersion: "1.0.0",
        name: "net-a",
        prevResult: { cniVersion: "1.0.0", ips: [] },
        runtimeConfig: { mac: "02:00:00:00:00:09" },
        type: "tuning",
        z: { a: 2, b: 1 },
      }),
    );
  });

  it.each([
    {
      name: "a declared capability replaces the plugin's own runtimeConfig",
      plugin: { type: "p", capabilities: { ips: true }, runtimeConfig: { mac: "own" } },
      want: { ips: ["10.0.0.1"] },
    },
    {
      name: "nothing declared keeps the plugin's own runtimeConfig",
      plugin: { type: "p", runtimeConfig: { mac: "own" } },
      want: { mac: "own" },
    },
    { name: "nothing at all", plugin: { type: "p" }, want: undefined },
  ])("$name", ({ plugin, want }) => {
    const stdin = buildPluginStdin({ network, plugin, runtimeConfig: { ips: ["10.0.0.1"] } });
    expect(stdin.runtimeConfig).toEqual(want);
    expect("prevResult" in stdin).toBe(false);
  });
});

describe("buildListCommandStdin", () => {
  it("GC: name, version and the valid attachments, nothing else injected", () => {
    const stdin = buildListCommandStdin(
      { name: "n", cniVersion: "1.1.0" },
      { type: "p", capabilities: { mac: true } },
      [{ containerID: "c1", ifname: "eth0" }],
    );
    expect(stdin).toEqual({
      capabilities: { mac: true },
      cniVersion: "1.1.0",
      "cni.dev/valid-attachments": [{ containerID: "c1", ifname: "eth0" }],
      name: "n",
      type: "p",
    });
  });

  it("STATUS: no valid attachments key", () => {
    expect(buildListCommandStdin({ name: "n", cniVersion: "1.1.0" }, { type: "p" })).toEqual({
      cniVersion: "1.1.0",
      name: "n",
      type: "p",
    });
  });
});
