// netclaim's CNI config: every type error and rule violation names the field; bad JSON is a decode error.
import { describe, expect, it } from "vitest";
import { errorCodeOf } from "../../../src/common/errors.ts";
import { parseNetConf } from "../../../src/api/netconf.ts";
import { toCniError } from "../../../src/cni/protocol/errors.ts";

/** The code and message of what `parseNetConf` throws, or "no error". */
function failure(input: unknown): { code: string | undefined; message: string } {
  try {
    parseNetConf(input as Record<string, unknown>);
  } catch (err) {
    return { code: errorCodeOf(err), message: (err as Error).message };
  }
  return { code: undefined, message: "no error" };
}

const minimal = { cniVersion: "1.0.0", name: "n", type: "netclaim", clusterNetwork: "k8s-pod-network" };

describe("parseNetConf: errors name the field", () => {
  const cases: { name: string; input: unknown; want: string }[] = [
    {
      name: "namespaceIsolation as a string",
      input: { ...minimal, namespaceIsolation: "true" },
      want: 'netclaim config: field "namespaceIsolation": expected boolean, got string',
    },
    {
      name: "name as a number",
      input: { ...minimal, name: 5 },
      want: 'netclaim config: field "name": expected string, got number',
    },
    {
      name: "cniVersion as a number",
      input: { ...minimal, cniVersion: 1 },
      want: 'netclaim config: field "cniVersion": expected string, got number',
    },
    {
      name: "clusterNetwork as an object",
      input: { ...minimal, clusterNetwork: {} },
      want: 'netclaim config: field "clusterNetwork": expected string, got object',
    },
    {
      name: "defaultNetworks as a string",
      input: { ...minimal, defaultNetworks: "a" },
      want: 'netclaim config: field "defaultNetworks": expected array, got string',
    },
    {
      name: "a defaultNetworks entry as a number",
      input: { ...minimal, defaultNetworks: ["a", 2] },
      want: 'netclaim config: field "defaultNetworks[1]": expected string, got number',
    },
    {
      name: "an empty defaultNetworks entry",
      input: { ...minimal, defaultNetworks: ["a", ""] },
      want: 'netclaim config: field "defaultNetworks[1]": must not be empty',
    },
    {
      name: "globalNamespaces as a list (Multus's wire format is a string)",
      input: { ...minimal, globalNamespaces: ["a"] },
      want: 'netclaim config: field "globalNamespaces": expected string, got array',
    },
    {
      name: "systemNamespaces as a string",
      input: { ...minimal, systemNamespaces: "kube-system" },
      want: 'netclaim config: field "systemNamespaces": expected array, got string',
    },
    {
      name: "logToStderr as a number",
      input: { ...minimal, logToStderr: 1 },
      want: 'netclaim config: field "logToStderr": expected boolean, got number',
    },
    {
      name: "logLevel as a number",
      input: { ...minimal, logLevel: 3 },
      want: 'netclaim config: field "logLevel": expected string, got number',
    },
    {
      name: "logOptions.maxAge fractional",
      input: { ...minimal, logOptions: { maxAge: 1.5 } },
      want: 'netclaim config: field "logOptions.maxAge": expected integer, got 1.5',
    },
    {
      name: "logOptions.maxSize negative",
      input: { ...minimal, logOptions: { maxSize: -1 } },
      want: 'netclaim config: field "logOptions.maxSize": must be at least 0, got number -1',
    },
    {
      name: "logOptions.compress as a string",
      input: { ...minimal, logOptions: { compress: "yes" } },
      want: 'netclaim config: field "logOptions.compress": expected boolean, got string',
    },
    {
      name: "capabilities value as a string",
      input: { ...minimal, capabilities: { portMappings: "true" } },
      want: 'netclaim config: field "capabilities.portMappings": expected boolean, got string',
    },
    {
      name: "readinessindicatorfile with NUL",
      input: { ...minimal, readinessindicatorfile: "/a\0b" },
      want: 'netclaim config: field "readinessindicatorfile": must not contain a NUL byte',
    },
    {
      name: "confDir as a number",
      input: { ...minimal, confDir: 1 },
      want: 'netclaim config: field "confDir": expected string, got number',
    },
    {
      name: "retryDeleteOnError as a string",
      input: { ...minimal, retryDeleteOnError: "false" },
      want: 'netclaim config: field "retryDeleteOnError": expected boolean, got string',
    },
    {
      name: "delegates as an object",
      input: { ...minimal, delegates: {} },
      want: 'netclaim config: field "delegates": expected array, got object',
    },
    {
      name: "a delegate that is not an object",
      input: { ...minimal, delegates: ["bridge"] },
      want: 'netclaim config: field "delegates[0]": expected object, got string',
    },
    {
      name: "runtimeConfig port as a string",
      input: { ...minimal, runtimeConfig: { portMappings: [{ hostPort: "80", containerPort: 80 }] } },
      want: 'netclaim config: field "runtimeConfig.portMappings[0].hostPort": expected number, got string',
    },
    {
      name: "runtimeConfig bandwidth fractional",
      input: { ...minimal, runtimeConfig: { bandwidth: { ingressRate: 0.5 } } },
      want: 'netclaim config: field "runtimeConfig.bandwidth.ingressRate": expected integer, got 0.5',
    },
    {
      name: "runtimeConfig ips as a string",
      input: { ...minimal, runtimeConfig: { ips: "10.0.0.1" } },
      want: 'netclaim config: field "runtimeConfig.ips": expected array, got string',
    },
    {
      name: "runtimeConfig pod annotations with a number",
      input: { ...minimal, runtimeConfig: { "io.kubernetes.cri.pod-annotations": { a: 1 } } },
      want: "netclaim config: field \"runtimeConfig['io.kubernetes.cri.pod-annotations'].a\": expected string, got number",
    },
    {
      name: "prevResult as a list",
      input: { ...minimal, prevResult: [] },
      want: 'netclaim config: field "prevResult": expected object, got array',
    },
    {
      name: "daemonSocket as a bool",
      input: { ...minimal, daemonSocket: true },
      want: 'netclaim config: field "daemonSocket": expected string, got boolean',
    },
    {
      name: "driverName not a DNS subdomain",
      input: { ...minimal, driverName: "Netclaim_Dev" },
      want: 'netclaim config: field "driverName": expected a DNS subdomain such as "netclaim.dev", got "Netclaim_Dev"',
    },
    {
      name: "auxiliaryCNIChainName against Multus's pattern",
      input: { ...minimal, auxiliaryCNIChainName: "-x" },
      want: 'netclaim config: field "auxiliaryCNIChainName": expected a name matching ^[a-zA-Z0-9][a-zA-Z0-9_.-]*$, got "-x"',
    },
    {
      name: "neither clusterNetwork nor delegates",
      input: { name: "n" },
      want: 'netclaim config: at least one of "clusterNetwork" or "delegates" must be given',
    },
    {
      name: "an empty delegates list",
      input: { name: "n", delegates: [] },
      want: 'netclaim config: at least one of "clusterNetwork" or "delegates" must be given',
    },
    {
      name: "a delegate without type or plugins",
      input: { name: "n", delegates: [{ name: "x" }] },
      want: 'netclaim config: field "delegates[0]": expected "type" (a single plugin) or "plugins" (a list of plugins)',
    },
    {
      name: "a conflist delegate plugin without type",
      input: { name: "n", delegates: [{ name: "x", plugins: [{ type: "a" }, { mtu: 1 }] }] },
      want: 'netclaim config: field "delegates[0].plugins[1].type": required (expected string)',
    },
    {
      name: "a delegate without a name",
      input: { name: "n", delegates: [{ type: "bridge" }] },
      want: 'netclaim config: field "delegates[0].name": required (the network name)',
    },
    {
      name: "several problems at once, at most three shown",
      input: { ...minimal, namespaceIsolation: 1, logToStderr: 1, retryDeleteOnError: 1, binDir: 1 },
      want: 'netclaim config: field "binDir": expected string, got number; field "namespaceIsolation": expected boolean, got number; field "logToStderr": expected boolean, got number; and 1 more',
    },
    { name: "not an object", input: "[1]", want: "netclaim config: expected a JSON object, got array" },
  ];
  it.each(cases)("$name", ({ input, want }) => {
    const got = failure(input);
    expect(got.message).toBe(want);
    expect(got.code).toBe("INVALID_NETWORK_CONFIG");
  });

  it("bad JSON is a decode failure (CNI code 6)", () => {
    const got = failure('{"name": ');
    expect(got.code).toBe("DECODE_FAILURE");
    expect(got.message).toMatch(/^netclaim config: not valid JSON: /);
  });

  it("a bad config becomes CNI error code 7 with the same message", () => {
    let thrown: unknown;
    try {
      parseNetConf({ ...minimal, namespaceIsolation: "true" });
    } catch (err) {
      thrown = err;
    }
    const cni = toCniError(thrown);
    expect([cni.cniCode, cni.msg]).toEqual([
      7,
      'netclaim config: field "namespaceIsolation": expected boolean, got string',
    ]);
  });
});
