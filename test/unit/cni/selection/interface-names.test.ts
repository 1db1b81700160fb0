// Interface naming (Multus getIfname numbering), the kernel's validity rule, and collisions found
// before anything is attached.
import { describe, expect, it } from "vitest";
import { assignInterfaceNames, checkInterfaceName } from "../../../../src/cni/selection/interface-names.ts";
import type { AttachmentNameRequest } from "../../../../src/cni/selection/interface-names.ts";

describe("checkInterfaceName", () => {
  const cases: { input: string; want: string | undefined }[] = [
    { input: "eth0", want: undefined },
    { input: "a", want: undefined },
    { input: "abcdefghijklmno", want: undefined },
    { input: "net_1.v-2", want: undefined },
    { input: "", want: 'interface name "" must not be empty' },
    {
      input: "abcdefghijklmnop",
      want: 'interface name "abcdefghijklmnop" must be at most 15 bytes long (it has 16)',
    },
    { input: ".", want: 'interface name "." must not be "." or ".."' },
    { input: "..", want: 'interface name ".." must not be "." or ".."' },
    { input: "...", want: undefined },
    { input: "a/b", want: 'interface name "a/b" must not contain "/"' },
    { input: "eth0:1", want: 'interface name "eth0:1" must not contain ":"' },
    { input: "a b", want: 'interface name "a b" must not contain whitespace' },
    { input: "a\tb", want: 'interface name "a\\tb" must not contain whitespace' },
    { input: "a\u00a0", want: 'interface name "a\u00a0" must not contain whitespace' },
    // "à" is C3 A0 in UTF-8; the kernel's isspace() accepts the 0xA0 byte.
    { input: "net\u00e0", want: 'interface name "net\u00e0" must not contain whitespace' },
    { input: "net\u00e9", want: undefined },
    { input: "net%d", want: 'interface name "net%d" must not contain "%"' },
    { input: "a\u0000b", want: 'interface name "a\\u0000b" must not contain a NUL character' },
  ];
  it.each(cases)("$input", ({ input, want }) => expect(checkInterfaceName(input)).toBe(want));
});

describe("assignInterfaceNames", () => {
  const nets = (...requests: (string | undefined)[]): AttachmentNameRequest[] =>
    requests.map((requested, i) => ({ network: i === 0 ? "cluster" : `ns/net-${i}`, requested }));

  const ok: { name: string; input: AttachmentNameRequest[]; ifname?: string; want: string[] }[] = [
    { name: "default only", input: nets(undefined), want: ["eth0"] },
    {
      name: "positional net<i>",
      input: nets(undefined, undefined, undefined),
      want: ["eth0", "net1", "net2"],
    },
    {
      name: "CNI_IFNAME for the default network",
      input: nets(undefined, undefined),
      ifname: "ens0",
      want: ["ens0", "net1"],
    },
    {
      name: "requested names do not shift the numbering (a@foo,b → foo, net2)",
      input: nets(undefined, "foo", undefined),
      want: ["eth0", "foo", "net2"],
    },
    {
      name: "the default network may request a name",
      input: nets("pod0", undefined),
      want: ["pod0", "net1"],
    },
    { name: "an empty request is no request", input: nets(undefined, ""), want: ["eth0", "net1"] },
    { name: "nothing to name", input: [], want: [] },
  ];
  it.each(ok)("$name", ({ input, ifname, want }) => {
    const got = assignInterfaceNames(input, ifname);
    expect(got.ok && got.value.map((a) => a.name)).toEqual(want);
  });

  it("reports where each name came from", () => {
    const got = assignInterfaceNames(nets(undefined, "foo", undefined));
    expect(got.ok && got.value.map((a) => a.source)).toEqual(["cni-ifname", "requested", "generated"]);
  });

  const bad: { name: string; input: AttachmentNameRequest[]; ifname?: string; code: string; want: string }[] =
    [
      {
        name: "requested name equal to a later generated one",
        input: nets(undefined, "net2", undefined),
        code: "INTERFACE_NAME_CONFLICT",
        want:
          'interface name "net2" is used twice: requested by network "ns/net-1" (attachment 1) and ' +
          'generated for network "ns/net-2" (attachment 2)',
      },
      {
        name: "requested name equal to the default's",
        input: nets(undefined, "eth0"),
        code: "INTERFACE_NAME_CONFLICT",
        want:
          'interface name "eth0" is used twice: given as CNI_IFNAME for network "cluster" (attachment 0) and ' +
          'requested by network "ns/net-1" (attachment 1)',
      },
      {
        name: "the same NAD twice with the same requested name",
        input: [
          { network: "cluster" },
          { network: "ns/a", requested: "data" },
          { network: "ns/a", requested: "data" },
        ],
        code: "INTERFACE_NAME_CONFLICT",
        want:
          'interface name "data" is used twice: requested by network "ns/a" (attachment 1) and ' +
          'requested by network "ns/a" (attachment 2)',
      },
      {
        name: "generated name equal to an earlier request",
        input: nets(undefined, undefined, "net1"),
        code: "INTERFACE_NAME_CONFLICT",
        want:
          'interface name "net1" is used twice: generated for network "ns/net-1" (attachment 1) and ' +
          'requested by network "ns/net-2" (attachment 2)',
      },
      {
        name: "invalid requested name",
        input: nets(undefined, "a:b"),
        code: "INVALID_INTERFACE_NAME",
        want: 'attachment 1 (network "ns/net-1"): interface name "a:b" must not contain ":"',
      },
      {
        name: "invalid CNI_IFNAME",
        input: nets(undefined),
        ifname: "",
        code: "INVALID_INTERFACE_NAME",
        want: 'CNI_IFNAME (network "cluster"): interface name "" must not be empty',
      },
    ];
  it.each(bad)("$name", ({ input, ifname, code, want }) => {
    const got = assignInterfaceNames(input, ifname);
    expect(got.ok).toBe(false);
    if (got.ok) return;
    expect(got.error.message).toBe(want);
    expect(got.error.code).toBe(code);
  });

  it("does not check CNI_IFNAME when the default network requests its own name", () => {
    const got = assignInterfaceNames(nets("pod0"), "");
    expect(got.ok && got.value[0]?.name).toBe("pod0");
  });
});
