// The production DefaultRouteApplier: the `ip route` commands of an instruction, how their failures are
// read, and (privileged) their effect in a real netns.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessExec } from "../../../../src/common/exec.ts";
import { IpRouteApplier, routeCommands } from "../../../../src/cni/engine/ip-route-applier.ts";
import type { DefaultRouteInstruction } from "../../../../src/cni/selection/default-route.ts";
import { FakeExec } from "../../../fakes/exec.ts";
import { describePrivileged } from "../../../harness/privileged.ts";

const instruction = (
  ipv4: DefaultRouteInstruction["ipv4"],
  ipv6: DefaultRouteInstruction["ipv6"],
): DefaultRouteInstruction => ({ network: "ns/a", interfaceName: "net1", ipv4, ipv6 });

describe("routeCommands", () => {
  const cases: { name: string; input: DefaultRouteInstruction; want: string[] }[] = [
    { name: "keep both: nothing", input: instruction({ kind: "keep" }, { kind: "keep" }), want: [] },
    {
      name: "remove both",
      input: instruction({ kind: "remove" }, { kind: "remove" }),
      want: ["-4 route flush exact 0.0.0.0/0 dev net1", "-6 route flush exact ::/0 dev net1"],
    },
    {
      name: "replace IPv4, keep IPv6",
      input: instruction({ kind: "replace", gateway: "10.2.0.1" }, { kind: "keep" }),
      want: ["-4 route flush exact 0.0.0.0/0 dev net1", "-4 route add default via 10.2.0.1 dev net1"],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(routeCommands(c.input).map((cmd) => cmd.args.join(" "))).toEqual(c.want);
    });
  }
});

describe("IpRouteApplier", () => {
  it("runs each command through nsenter in the pod's netns", async () => {
    const exec = new FakeExec().on("nsenter", {});
    await new IpRouteApplier({ exec }).apply(
      "/run/netns/p",
      instruction({ kind: "replace", gateway: "10.2.0.1" }, { kind: "keep" }),
    );
    expect(exec.calls.map((c) => [c.cmd, ...c.args].join(" "))).toEqual([
      "nsenter --net=/run/netns/p -- ip -4 route flush exact 0.0.0.0/0 dev net1",
      "nsenter --net=/run/netns/p -- ip -4 route add default via 10.2.0.1 dev net1",
    ]);
  });

  const outcomes: { name: string; stderr: string; ipv6: boolean; wantError?: string }[] = [
    { name: "an existing route is fine", stderr: "RTNETLINK answers: File exists", ipv6: false },
    { name: "no IPv6 on the host is fine for the IPv6 flush", stderr: "Operation not supported", ipv6: true },
    {
      name: "anything else fails naming the command",
      stderr: 'Cannot find device "net1"',
      ipv6: false,
      wantError:
        'default route of net1 in /run/netns/p: ip -4 route add default via 10.2.0.1 dev net1: exit status 2: Cannot find device "net1"',
    },
  ];
  for (const c of outcomes) {
    it(c.name, async () => {
      const exec = new FakeExec()
        .on((call) => call.args.includes(c.ipv6 ? "flush" : "add"), { code: 2, stderr: c.stderr })
        .on("nsenter", {});
      const target = c.ipv6
        ? instruction({ kind: "keep" }, { kind: "remove" })
        : instruction({ kind: "replace", gateway: "10.2.0.1" }, { kind: "keep" });
      const applied = new IpRouteApplier({ exec }).apply("/run/netns/p", target);
      if (c.wantError === undefined) await expect(applied).resolves.toBeUndefined();
      else await expect(applied).rejects.toThrow(c.wantError);
    });
  }
});

describePrivileged("IpRouteApplier in a real netns", () => {
  const exec = new ProcessExec();
  const name = `nc-route-${randomBytes(4).toString("hex")}`;
  const netns = `/run/netns/${name}`;
  const ip = (...args: string[]) => exec.run("ip", ["-n", name, ...args]);

  beforeAll(async () => {
    await exec.run("ip", ["netns", "add", name]);
    await ip("link", "add", "eth0", "type", "veth", "peer", "name", "net1");
    for (const dev of ["eth0", "net1"]) await ip("link", "set", dev, "up");
    await ip("addr", "add", "10.9.0.2/24", "dev", "eth0");
    await ip("addr", "add", "10.8.0.2/24", "dev", "net1");
    await ip("route", "add", "default", "via", "10.9.0.1", "dev", "eth0");
  });
  afterAll(async () => {
    await exec.run("ip", ["netns", "del", name]);
  });

  it("moves the default route from eth0 to net1", async () => {
    const applier = new IpRouteApplier({ exec });
    await applier.apply(netns, {
      network: "c",
      interfaceName: "eth0",
      ipv4: { kind: "remove" },
      ipv6: { kind: "remove" },
    });
    await applier.apply(netns, instruction({ kind: "replace", gateway: "10.8.0.1" }, { kind: "remove" }));
    // applying twice is harmless
    await applier.apply(netns, instruction({ kind: "replace", gateway: "10.8.0.1" }, { kind: "remove" }));
    const routes = (await ip("-4", "route", "show", "default")).stdout.trim();
    expect(routes).toBe("default via 10.8.0.1 dev net1");
  });
});
