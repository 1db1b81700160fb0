// CNI_* variables per command as the spec requires them, every missing-variable error with its exact
// message, CNI_ARGS and CNI_PATH parsing.
import { describe, expect, it } from "vitest";
import {
  interfaceNameProblem,
  parseCniArgs,
  parseCniEnvironment,
  splitCniPath,
} from "../../../../src/cni/protocol/env.ts";
import type { Env } from "../../../../src/cni/protocol/env.ts";
import { CniError } from "../../../../src/cni/protocol/errors.ts";

const FULL = {
  CNI_CONTAINERID: "3f6940ab5ab4",
  CNI_NETNS: "/var/run/netns/cni-1",
  CNI_IFNAME: "eth0",
  CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web-0",
  CNI_PATH: "/opt/cni/bin:/usr/lib/cni",
};

function envError(env: Env): { code: number; msg: string } | string {
  try {
    parseCniEnvironment(env);
  } catch (err) {
    if (err instanceof CniError) return { code: err.cniCode, msg: err.msg };
    throw err;
  }
  return "no error";
}

describe("parseCniEnvironment: what each command reads", () => {
  it("ADD reads container, netns, ifname, args and path", () => {
    const got = parseCniEnvironment({ ...FULL, CNI_COMMAND: "ADD" });
    expect(got).toMatchObject({
      command: "ADD",
      containerId: "3f6940ab5ab4",
      netns: "/var/run/netns/cni-1",
      ifName: "eth0",
      path: ["/opt/cni/bin", "/usr/lib/cni"],
    });
    expect(got.command === "ADD" && got.args.k8s).toEqual({ podNamespace: "default", podName: "web-0" });
  });

  it("CHECK reads the same as ADD", () => {
    expect(parseCniEnvironment({ ...FULL, CNI_COMMAND: "CHECK" })).toMatchObject({
      command: "CHECK",
      netns: FULL.CNI_NETNS,
    });
  });

  it("DEL without CNI_NETNS (the runtime lost the namespace) has no netns", () => {
    const got = parseCniEnvironment({ ...FULL, CNI_COMMAND: "DEL", CNI_NETNS: undefined });
    expect(got).toMatchObject({ command: "DEL", containerId: FULL.CNI_CONTAINERID, ifName: "eth0" });
    expect(got.command === "DEL" && got.netns).toBeUndefined();
  });

  it("DEL with an empty CNI_NETNS has no netns either", () => {
    const got = parseCniEnvironment({ ...FULL, CNI_COMMAND: "DEL", CNI_NETNS: "" });
    expect(got.command === "DEL" && got.netns).toBeUndefined();
  });

  it("GC needs only CNI_PATH and carries no container", () => {
    expect(parseCniEnvironment({ CNI_COMMAND: "GC", CNI_PATH: "/opt/cni/bin" })).toEqual({
      command: "GC",
      path: ["/opt/cni/bin"],
    });
  });

  it("STATUS needs nothing but the command", () => {
    expect(parseCniEnvironment({ CNI_COMMAND: "STATUS" })).toEqual({ command: "STATUS", path: [] });
  });

  it("STATUS does not read CNI_ARGS (a malformed one does not fail it)", () => {
    expect(parseCniEnvironment({ CNI_COMMAND: "STATUS", CNI_ARGS: "garbage" })).toEqual({
      command: "STATUS",
      path: [],
    });
  });

  it("VERSION needs nothing and reads nothing", () => {
    expect(parseCniEnvironment({ CNI_COMMAND: "VERSION", CNI_ARGS: "garbage", CNI_IFNAME: "a/b" })).toEqual({
      command: "VERSION",
    });
  });
});

describe("parseCniEnvironment: errors (code 4, naming the variable)", () => {
  const without = (command: string, ...names: (keyof typeof FULL)[]): Env => {
    const env: Record<string, string | undefined> = { ...FULL, CNI_COMMAND: command };
    for (const name of names) env[name] = undefined;
    return env;
  };
  const cases: { name: string; env: Env; want: string }[] = [
    { name: "no CNI_COMMAND", env: { ...FULL }, want: "required env variables [CNI_COMMAND] missing" },
    {
      name: "empty CNI_COMMAND",
      env: { ...FULL, CNI_COMMAND: "" },
      want: "required env variables [CNI_COMMAND] missing",
    },
    { name: "unknown command", env: { ...FULL, CNI_COMMAND: "GET" }, want: "unknown CNI_COMMAND: GET" },
    { name: "lower-case command", env: { ...FULL, CNI_COMMAND: "add" }, want: "unknown CNI_COMMAND: add" },
    {
      name: "ADD without CNI_CONTAINERID",
      env: without("ADD", "CNI_CONTAINERID"),
      want: "required env variables [CNI_CONTAINERID] missing",
    },
    {
      name: "ADD without CNI_NETNS",
      env: without("ADD", "CNI_NETNS"),
      want: "required env variables [CNI_NETNS] missing",
    },
    {
      name: "ADD without CNI_IFNAME",
      env: without("ADD", "CNI_IFNAME"),
      want: "required env variables [CNI_IFNAME] missing",
    },
    {
      name: "ADD without all three, in the spec's order",
      env: without("ADD", "CNI_IFNAME", "CNI_NETNS", "CNI_CONTAINERID"),
      want: "required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing",
    },
    {
      name: "ADD with an empty CNI_NETNS",
      env: { ...FULL, CNI_COMMAND: "ADD", CNI_NETNS: "" },
      want: "required env variables [CNI_NETNS] missing",
    },
    {
      name: "CHECK without CNI_CONTAINERID",
      env: without("CHECK", "CNI_CONTAINERID"),
      want: "required env variables [CNI_CONTAINERID] missing",
    },
    {
      name: "CHECK without CNI_NETNS",
      env: without("CHECK", "CNI_NETNS"),
      want: "required env variables [CNI_NETNS] missing",
    },
    {
      name: "CHECK without CNI_IFNAME",
      env: without("CHECK", "CNI_IFNAME"),
      want: "required env variables [CNI_IFNAME] missing",
    },
    {
      name: "DEL without CNI_CONTAINERID",
      env: without("DEL", "CNI_CONTAINERID"),
      want: "required env variables [CNI_CONTAINERID] missing",
    },
    {
      name: "DEL without CNI_IFNAME",
      env: without("DEL", "CNI_IFNAME"),
      want: "required env variables [CNI_IFNAME] missing",
    },
    {
      name: "DEL without container and ifname",
      env: without("DEL", "CNI_CONTAINERID", "CNI_IFNAME"),
      want: "required env variables [CNI_CONTAINERID,CNI_IFNAME] missing",
    },
    {
      name: "GC without CNI_PATH",
      env: { CNI_COMMAND: "GC" },
      want: "required env variables [CNI_PATH] missing",
    },
    {
      name: "GC with an empty CNI_PATH",
      env: { CNI_COMMAND: "GC", CNI_PATH: "" },
      want: "required env variables [CNI_PATH] missing",
    },
    {
      name: "a container ID with a bad character",
      env: { ...FULL, CNI_COMMAND: "ADD", CNI_CONTAINERID: "1234%%%" },
      want: 'invalid CNI_CONTAINERID "1234%%%"',
    },
    {
      name: "a container ID starting with '-'",
      env: { ...FULL, CNI_COMMAND: "DEL", CNI_CONTAINERID: "-abc" },
      want: 'invalid CNI_CONTAINERID "-abc"',
    },
    {
      name: "an interface name that is too long",
      env: { ...FULL, CNI_COMMAND: "ADD", CNI_IFNAME: "a234567890123456" },
      want: 'invalid CNI_IFNAME "a234567890123456": must be at most 15 bytes long',
    },
    {
      name: "an interface name with '/'",
      env: { ...FULL, CNI_COMMAND: "CHECK", CNI_IFNAME: "a/b" },
      want: "invalid CNI_IFNAME \"a/b\": must not contain '/', ':' or whitespace",
    },
    {
      name: "an interface name '..'",
      env: { ...FULL, CNI_COMMAND: "DEL", CNI_IFNAME: ".." },
      want: 'invalid CNI_IFNAME "..": must not be "." or ".."',
    },
    {
      name: "a malformed CNI_ARGS on ADD",
      env: { ...FULL, CNI_COMMAND: "ADD", CNI_ARGS: "K8S_POD_NAME=a;broken" },
      want: 'invalid CNI_ARGS: "broken" is not a KEY=VALUE pair',
    },
    {
      name: "a bad IgnoreUnknown value",
      env: { ...FULL, CNI_COMMAND: "ADD", CNI_ARGS: "IgnoreUnknown=yes" },
      want: 'invalid CNI_ARGS: IgnoreUnknown="yes": expected true, false, 1 or 0',
    },
  ];
  it.each(cases)("$name", ({ env, want }) => {
    expect(envError(env)).toEqual({ code: 4, msg: want });
  });
});

describe("interfaceNameProblem", () => {
  const cases: { name: string; want: string | undefined }[] = [
    { name: "eth0", want: undefined },
    { name: "net1", want: undefined },
    { name: "a23456789012345", want: undefined },
    { name: "under_score.dot-dash", want: "must be at most 15 bytes long" },
    { name: "", want: "must not be empty" },
    { name: ".", want: 'must not be "." or ".."' },
    { name: "a:b", want: "must not contain '/', ':' or whitespace" },
    { name: "a b", want: "must not contain '/', ':' or whitespace" },
    { name: "a\tb", want: "must not contain '/', ':' or whitespace" },
    { name: "ééééééééé", want: "must be at most 15 bytes long" },
  ];
  it.each(cases)("$name", ({ name, want }) => {
    expect(interfaceNameProblem(name)).toBe(want);
  });
});

describe("parseCniArgs", () => {
  const cases: { name: string; raw: string; pairs: [string, string][]; ignoreUnknown: boolean }[] = [
    { name: "empty", raw: "", pairs: [], ignoreUnknown: false },
    { name: "one pair", raw: "FOO=BAR", pairs: [["FOO", "BAR"]], ignoreUnknown: false },
    {
      name: "kubelet's args",
      raw: "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_INFRA_CONTAINER_ID=abc;K8S_POD_UID=u-1",
      pairs: [
        ["IgnoreUnknown", "1"],
        ["K8S_POD_NAMESPACE", "ns"],
        ["K8S_POD_NAME", "p"],
        ["K8S_POD_INFRA_CONTAINER_ID", "abc"],
        ["K8S_POD_UID", "u-1"],
      ],
      ignoreUnknown: true,
    },
    {
      name: "IgnoreUnknown=true",
      raw: "IgnoreUnknown=true",
      pairs: [["IgnoreUnknown", "true"]],
      ignoreUnknown: true,
    },
    {
      name: "IgnoreUnknown=TRUE",
      raw: "IgnoreUnknown=TRUE",
      pairs: [["IgnoreUnknown", "TRUE"]],
      ignoreUnknown: true,
    },
    {
      name: "IgnoreUnknown=0",
      raw: "IgnoreUnknown=0",
      pairs: [["IgnoreUnknown", "0"]],
      ignoreUnknown: false,
    },
    { name: "a value with '='", raw: "A=b=c", pairs: [["A", "b=c"]], ignoreUnknown: false },
    { name: "an empty value", raw: "A=", pairs: [["A", ""]], ignoreUnknown: false },
    { name: "a trailing ';'", raw: "A=1;", pairs: [["A", "1"]], ignoreUnknown: false },
    {
      name: "a duplicate key keeps both pairs",
      raw: "A=1;A=2",
      pairs: [
        ["A", "1"],
        ["A", "2"],
      ],
      ignoreUnknown: false,
    },
  ];
  it.each(cases)("$name", ({ raw, pairs, ignoreUnknown }) => {
    const got = parseCniArgs(raw);
    expect(got.raw).toBe(raw);
    expect(got.pairs).toEqual(pairs);
    expect(got.ignoreUnknown).toBe(ignoreUnknown);
  });

  it("the later duplicate wins in values; empty Kubernetes values count as absent", () => {
    const got = parseCniArgs("A=1;A=2;K8S_POD_NAME=;K8S_POD_UID=u");
    expect(got.values.get("A")).toBe("2");
    expect(got.k8s).toEqual({ podUid: "u" });
  });

  const bad: { raw: string; want: string }[] = [
    { raw: "novalue", want: 'invalid CNI_ARGS: "novalue" is not a KEY=VALUE pair' },
    { raw: "=v", want: 'invalid CNI_ARGS: "=v" is not a KEY=VALUE pair' },
    { raw: "A=1;;B", want: 'invalid CNI_ARGS: "B" is not a KEY=VALUE pair' },
  ];
  it.each(bad)("rejects $raw", ({ raw, want }) => {
    expect(() => parseCniArgs(raw)).toThrow(want);
  });
});

describe("splitCniPath", () => {
  const cases: { raw: string | undefined; want: string[] }[] = [
    { raw: undefined, want: [] },
    { raw: "", want: [] },
    { raw: "/opt/cni/bin", want: ["/opt/cni/bin"] },
    { raw: "/a::/b:", want: ["/a", "/b"] },
  ];
  it.each(cases)("$raw", ({ raw, want }) => {
    expect(splitCniPath(raw)).toEqual(want);
  });
});
