import { describe, expect, it } from "vitest";
import {
  PrefixedExec,
  ipNetnsExecPrefix,
  nsenterPrefix,
} from "../../../../src/cni/delegate/prefixed-exec.ts";
import { FakeExec } from "../../../fakes/exec.ts";

describe("PrefixedExec", () => {
  it.each([
    {
      name: "ip netns exec",
      prefix: ipNetnsExecPrefix("host1"),
      want: ["ip", "netns", "exec", "host1", "/opt/cni/bin/bridge", "-x"],
    },
    {
      name: "nsenter",
      prefix: nsenterPrefix("/var/run/pods/ns1"),
      want: ["nsenter", "--net=/var/run/pods/ns1", "--", "/opt/cni/bin/bridge", "-x"],
    },
    {
      name: "custom tool path",
      prefix: ipNetnsExecPrefix("h", "/sbin/ip"),
      want: ["/sbin/ip", "netns", "exec", "h", "/opt/cni/bin/bridge", "-x"],
    },
  ])("$name", async ({ prefix, want }) => {
    const inner = new FakeExec().on(() => true, { stdout: "out" });
    const options = { env: { CNI_COMMAND: "ADD" }, stdin: "{}", timeoutMs: 5 };
    const result = await new PrefixedExec(inner, prefix).run("/opt/cni/bin/bridge", ["-x"], options);
    expect(result.stdout).toBe("out");
    expect([inner.calls[0]?.cmd, ...(inner.calls[0]?.args ?? [])]).toEqual(want);
    expect(inner.calls[0]?.options).toBe(options);
  });
});
