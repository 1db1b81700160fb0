// One invocation (env + stdin) → a typed request, or the CniError libcni's skel would answer, checked in
// skel's order.
import { describe, expect, it } from "vitest";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import type { Env } from "../../../../src/cni/protocol/env.ts";
import { parseCniRequest } from "../../../../src/cni/protocol/skel.ts";

const ATTACH = {
  CNI_CONTAINERID: "c1",
  CNI_NETNS: "/var/run/netns/c1",
  CNI_IFNAME: "eth0",
  CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=p;K8S_POD_UID=uid-1",
  CNI_PATH: "/opt/cni/bin",
};
const conf = (extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ cniVersion: "1.1.0", name: "multus-cni-network", type: "netclaim", ...extra });

function requestError(
  env: Env,
  stdin: string | Uint8Array,
): { code: number; msg: string; details?: string } | string {
  try {
    parseCniRequest(env, stdin);
  } catch (err) {
    if (!(err instanceof CniError)) throw err;
    return err.details === undefined
      ? { code: err.cniCode, msg: err.msg }
      : { code: err.cniCode, msg: err.msg, details: err.details };
  }
  return "no error";
}

describe("parseCniRequest: accepted requests", () => {
  it("ADD: environment, version and the whole config", () => {
    const stdin = conf({ clusterNetwork: "k8s-pod-network", unknownKey: [1] });
    const got = parseCniRequest({ ...ATTACH, CNI_COMMAND: "ADD" }, stdin);
    expect(got).toMatchObject({
      command: "ADD",
      containerId: "c1",
      netns: "/var/run/netns/c1",
      ifName: "eth0",
      path: ["/opt/cni/bin"],
      cniVersion: "1.1.0",
      config: JSON.parse(stdin) as unknown,
      stdin,
    });
    expect(got.command === "ADD" && got.args.k8s).toEqual({
      podNamespace: "ns",
      podName: "p",
      podUid: "uid-1",
    });
  });

  it("ADD from bytes", () => {
    const got = parseCniRequest({ ...ATTACH, CNI_COMMAND: "ADD" }, Buffer.from(conf()));
    expect(got.command === "ADD" && got.stdin).toBe(conf());
  });

  it("a config without cniVersion is 0.1.0", () => {
    const got = parseCniRequest({ ...ATTACH, CNI_COMMAND: "ADD" }, JSON.stringify({ name: "n" }));
    expect(got.command === "ADD" && got.cniVersion).toBe("0.1.0");
  });

  it("DEL without netns", () => {
    const got = parseCniRequest(
      { ...ATTACH, CNI_NETNS: undefined, CNI_COMMAND: "DEL" },
      conf({ cniVersion: "0.3.1" }),
    );
    expect(got).toMatchObject({ command: "DEL", containerId: "c1", ifName: "eth0", cniVersion: "0.3.1" });
    expect(got.command === "DEL" && got.netns).toBeUndefined();
  });

  it("CHECK with a 0.4.0 config", () => {
    expect(parseCniRequest({ ...ATTACH, CNI_COMMAND: "CHECK" }, conf({ cniVersion: "0.4.0" }))).toMatchObject(
      {
        command: "CHECK",
        cniVersion: "0.4.0",
      },
    );
  });

  it("STATUS with a 1.1.0 config and no container", () => {
    const got = parseCniRequest({ CNI_COMMAND: "STATUS" }, conf());
    expect(got).toMatchObject({ command: "STATUS", cniVersion: "1.1.0", path: [] });
    expect(Object.hasOwn(got, "containerId")).toBe(false);
  });

  it("GC reads cni.dev/valid-attachments", () => {
    const attachments = [
      { containerID: "c1", ifname: "eth0" },
      { containerID: "c1", ifname: "net1" },
    ];
    const got = parseCniRequest(
      { CNI_COMMAND: "GC", CNI_PATH: "/opt/cni/bin" },
      conf({ "cni.dev/valid-attachments": attachments }),
    );
    expect(got).toMatchObject({ command: "GC", path: ["/opt/cni/bin"], validAttachments: attachments });
  });

  it("GC falls back to the earlier key cni.dev/attachments", () => {
    const attachments = [{ containerID: "c2", ifname: "eth0" }];
    const got = parseCniRequest(
      { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      conf({ "cni.dev/attachments": attachments }),
    );
    expect(got.command === "GC" && got.validAttachments).toEqual(attachments);
  });

  it("GC with an empty list: nothing is valid", () => {
    const got = parseCniRequest(
      { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      conf({ "cni.dev/valid-attachments": [] }),
    );
    expect(got.command === "GC" && got.validAttachments).toEqual([]);
  });

  const versions: { name: string; stdin: string | Uint8Array; want: object }[] = [
    {
      name: "VERSION with the runtime's version",
      stdin: '{"cniVersion":"1.1.0"}',
      want: { command: "VERSION", requestedVersion: "1.1.0" },
    },
    { name: "VERSION with no stdin", stdin: "", want: { command: "VERSION" } },
    { name: "VERSION with garbage on stdin", stdin: "{not json", want: { command: "VERSION" } },
    { name: "VERSION with invalid UTF-8", stdin: Uint8Array.of(0xff, 0xfe), want: { command: "VERSION" } },
  ];
  it.each(versions)("$name", ({ stdin, want }) => {
    expect(parseCniRequest({ CNI_COMMAND: "VERSION" }, stdin)).toEqual(want);
  });
});

describe("parseCniRequest: errors in skel's order", () => {
  const add = { ...ATTACH, CNI_COMMAND: "ADD" };
  const cases: { name: string; env: Env; stdin: string | Uint8Array; want: object }[] = [
    {
      name: "environment first: a missing variable wins over bad stdin",
      env: { CNI_COMMAND: "ADD" },
      stdin: "garbage",
      want: { code: 4, msg: "required env variables [CNI_CONTAINERID,CNI_NETNS,CNI_IFNAME] missing" },
    },
    { name: "empty stdin", env: add, stdin: "", want: { code: 6, msg: "no network configuration on stdin" } },
    {
      name: "whitespace stdin",
      env: add,
      stdin: " \n",
      want: { code: 6, msg: "no network configuration on stdin" },
    },
    {
      name: "invalid UTF-8",
      env: add,
      stdin: Uint8Array.of(0x7b, 0xff, 0x7d),
      want: { code: 6, msg: "failed to decode the network configuration on stdin: not valid UTF-8" },
    },
    {
      name: "a JSON array",
      env: add,
      stdin: "[]",
      want: { code: 6, msg: "the network configuration on stdin must be a JSON object, got array" },
    },
    {
      name: "no name",
      env: add,
      stdin: '{"cniVersion":"1.0.0"}',
      want: { code: 7, msg: "missing network name" },
    },
    {
      name: "an empty name",
      env: add,
      stdin: '{"cniVersion":"1.0.0","name":""}',
      want: { code: 7, msg: "missing network name" },
    },
    {
      name: "a name that is not a string",
      env: add,
      stdin: '{"cniVersion":"1.0.0","name":7}',
      want: { code: 7, msg: 'network configuration: field "name": expected string, got number' },
    },
    {
      name: "a cniVersion that is not a string",
      env: add,
      stdin: '{"cniVersion":1,"name":"n"}',
      want: { code: 6, msg: 'network configuration: field "cniVersion": expected string, got number' },
    },
    {
      name: "an unsupported version",
      env: add,
      stdin: '{"cniVersion":"2.0.0","name":"n"}',
      want: {
        code: 1,
        msg: "incompatible CNI versions",
        details: 'config is "2.0.0", netclaim supports 0.1.0, 0.2.0, 0.3.0, 0.3.1, 0.4.0, 1.0.0, 1.1.0',
      },
    },
    {
      name: "a malformed version",
      env: add,
      stdin: '{"cniVersion":"1.0.0-rc1","name":"n"}',
      want: {
        code: 6,
        msg: 'invalid CNI version "1.0.0-rc1"',
        details: 'expected "major.minor.patch", e.g. "1.0.0"',
      },
    },
    {
      name: "CHECK with a 0.3.1 config",
      env: { ...ATTACH, CNI_COMMAND: "CHECK" },
      stdin: conf({ cniVersion: "0.3.1" }),
      want: {
        code: 1,
        msg: "config version does not allow CHECK",
        details: "CHECK needs cniVersion 0.4.0 or later, the config has 0.3.1",
      },
    },
    {
      name: "STATUS with a 1.0.0 config",
      env: { CNI_COMMAND: "STATUS" },
      stdin: conf({ cniVersion: "1.0.0" }),
      want: {
        code: 1,
        msg: "config version does not allow STATUS",
        details: "STATUS needs cniVersion 1.1.0 or later, the config has 1.0.0",
      },
    },
    {
      name: "GC with a 0.4.0 config",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      stdin: conf({ cniVersion: "0.4.0" }),
      want: {
        code: 1,
        msg: "config version does not allow GC",
        details: "GC needs cniVersion 1.1.0 or later, the config has 0.4.0",
      },
    },
    {
      name: "GC without any attachment list",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      stdin: conf(),
      want: { code: 7, msg: 'GC needs "cni.dev/valid-attachments" in the network configuration' },
    },
    {
      name: "GC with an attachment list that is not a list",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      stdin: conf({ "cni.dev/valid-attachments": {} }),
      want: {
        code: 7,
        msg: 'network configuration: field "cni.dev/valid-attachments": expected array, got object',
      },
    },
    {
      name: "GC with an attachment without ifname",
      env: { CNI_COMMAND: "GC", CNI_PATH: "/x" },
      stdin: conf({
        "cni.dev/valid-attachments": [{ containerID: "c1", ifname: "eth0" }, { containerID: "c2" }],
      }),
      want: {
        code: 7,
        msg: 'network configuration: field "cni.dev/valid-attachments[1].ifname": required (expected string)',
      },
    },
  ];
  it.each(cases)("$name", ({ env, stdin, want }) => {
    expect(requestError(env, stdin)).toEqual(want);
  });

  it("bad JSON names what failed to decode", () => {
    const got = requestError(add, '{"name": "n",');
    expect(typeof got === "object" && got.code).toBe(6);
    expect(typeof got === "object" && got.msg).toMatch(
      /^failed to decode the network configuration on stdin: .+/,
    );
  });
});
