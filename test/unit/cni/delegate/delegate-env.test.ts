import { describe, expect, it } from "vitest";
import { delegateEnv } from "../../../../src/cni/delegate/delegate-env.ts";

describe("delegateEnv", () => {
  const attachment = {
    containerID: "c1",
    netns: "/run/netns/p",
    ifName: "net1",
    cniArgs: "IgnoreUnknown=1;K8S_POD_NAME=a",
  };

  it("inherits the caller's environment and sets the six CNI variables", () => {
    const env = delegateEnv({
      ...attachment,
      baseEnv: { PATH: "/usr/bin", HOME: "/root", GONE: undefined },
      command: "ADD",
      cniPath: ["/opt/cni/bin", "/usr/lib/cni"],
    });
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/root",
      CNI_COMMAND: "ADD",
      CNI_CONTAINERID: "c1",
      CNI_NETNS: "/run/netns/p",
      CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=a",
      CNI_IFNAME: "net1",
      CNI_PATH: "/opt/cni/bin:/usr/lib/cni",
    });
  });

  it("overrides the meta-plugin's own CNI variables, keeps other CNI_ ones", () => {
    const env = delegateEnv({
      ...attachment,
      baseEnv: { CNI_COMMAND: "DEL", CNI_IFNAME: "eth0", CNI_PATH: "/elsewhere", CNI_EXTRA: "x" },
      command: "ADD",
      cniPath: ["/opt/cni/bin"],
    });
    expect(env).toMatchObject({
      CNI_COMMAND: "ADD",
      CNI_IFNAME: "net1",
      CNI_PATH: "/opt/cni/bin",
      CNI_EXTRA: "x",
    });
  });
});
