// The final answer: stdout text and exit code for results, VERSION, silent successes and errors.
import { describe, expect, it } from "vitest";
import { CniError } from "../../../../src/cni/protocol/errors.ts";
import {
  emptyReply,
  errorReply,
  replyVersionOf,
  resultReply,
  versionReply,
} from "../../../../src/cni/protocol/output.ts";
import { parseResult } from "../../../../src/cni/protocol/result.ts";

const result = parseResult(
  {
    cniVersion: "1.0.0",
    interfaces: [{ name: "eth0", sandbox: "/var/run/netns/c1" }],
    ips: [{ interface: 0, address: "10.0.0.5/24", gateway: "10.0.0.1" }],
  },
  "1.0.0",
);

describe("resultReply", () => {
  it("prints the result in the config's version, indented by four spaces, without a trailing newline", () => {
    expect(resultReply(result, "0.3.1")).toEqual({
      stdout: [
        "{",
        '    "cniVersion": "0.3.1",',
        '    "interfaces": [',
        "        {",
        '            "name": "eth0",',
        '            "sandbox": "/var/run/netns/c1"',
        "        }",
        "    ],",
        '    "ips": [',
        "        {",
        '            "version": "4",',
        '            "interface": 0,',
        '            "address": "10.0.0.5/24",',
        '            "gateway": "10.0.0.1"',
        "        }",
        "    ],",
        '    "dns": {}',
        "}",
      ].join("\n"),
      exitCode: 0,
    });
  });

  it("a conversion the version cannot express becomes an error reply with exit code 1", () => {
    const noAddress = parseResult({ cniVersion: "1.0.0", interfaces: [{ name: "eth0" }] }, "1.0.0");
    const reply = resultReply(noAddress, "0.2.0");
    expect(reply.exitCode).toBe(1);
    expect(JSON.parse(reply.stdout)).toEqual({
      cniVersion: "0.2.0",
      code: 1,
      msg: "cannot convert the result to CNI 0.2.0: it has no IP address",
    });
  });
});

describe("versionReply / emptyReply", () => {
  it("VERSION answers every supported version", () => {
    const reply = versionReply();
    expect(reply.exitCode).toBe(0);
    expect(JSON.parse(reply.stdout)).toEqual({
      cniVersion: "1.1.0",
      supportedVersions: ["0.1.0", "0.2.0", "0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0"],
    });
  });

  it("DEL, CHECK, GC and STATUS print nothing on success", () => {
    expect(emptyReply()).toEqual({ stdout: "", exitCode: 0 });
  });
});

describe("errorReply", () => {
  const cases: { name: string; err: unknown; version: string | undefined; want: object }[] = [
    {
      name: "a CniError with details, in the config's version",
      err: new CniError("INVALID_ENVIRONMENT", "required env variables [CNI_NETNS] missing", {
        details: "d",
      }),
      version: "0.4.0",
      want: { cniVersion: "0.4.0", code: 4, msg: "required env variables [CNI_NETNS] missing", details: "d" },
    },
    {
      name: "an unexpected error is code 100",
      err: new Error("read cache", { cause: new Error("EACCES") }),
      version: "1.0.0",
      want: { cniVersion: "1.0.0", code: 100, msg: "read cache: EACCES" },
    },
    {
      name: "an unsupported version falls back to the current one",
      err: new CniError("INCOMPATIBLE_VERSION", "incompatible CNI versions"),
      version: "9.0.0",
      want: { cniVersion: "1.1.0", code: 1, msg: "incompatible CNI versions" },
    },
    {
      name: "no version known",
      err: new CniError("DECODE_FAILURE", "no network configuration on stdin"),
      version: undefined,
      want: { cniVersion: "1.1.0", code: 6, msg: "no network configuration on stdin" },
    },
  ];
  it.each(cases)("$name", ({ err, version, want }) => {
    const reply = errorReply(err, version);
    expect(reply.exitCode).toBe(1);
    expect(JSON.parse(reply.stdout)).toEqual(want);
  });
});

describe("replyVersionOf", () => {
  const cases: { name: string; stdin: string | Uint8Array; want: string }[] = [
    { name: "a supported version", stdin: '{"cniVersion":"0.3.1","name":"n"}', want: "0.3.1" },
    { name: "no version: 0.1.0", stdin: '{"name":"n"}', want: "0.1.0" },
    { name: "an empty version: 0.1.0", stdin: '{"cniVersion":""}', want: "0.1.0" },
    { name: "an unsupported version", stdin: '{"cniVersion":"7.0.0"}', want: "1.1.0" },
    { name: "a version that is not a string", stdin: '{"cniVersion":1}', want: "1.1.0" },
    { name: "not JSON", stdin: "{", want: "1.1.0" },
    { name: "not an object", stdin: "[]", want: "1.1.0" },
    { name: "bytes", stdin: Buffer.from('{"cniVersion":"1.0.0"}'), want: "1.0.0" },
  ];
  it.each(cases)("$name", ({ stdin, want }) => {
    expect(replyVersionOf(stdin)).toBe(want);
  });
});
