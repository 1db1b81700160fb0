// explainPod beyond the verdicts: which selector rejected which device (the network's class, each
// request's class and own selectors), the device as handed over and the claim's result, the CNI config's
// networks (and system namespaces), unscheduled pods, and pool generations.
import { describe, expect, it } from "vitest";
import { parseNetConf } from "../../../src/api/netconf.ts";
import { explainPod } from "../../../src/explain/explain-pod.ts";
import type { Explanation } from "../../../src/explain/explanation.ts";
import { settingsFrom } from "../../../src/explain/snapshot.ts";
import { claim, deviceClass, DRIVER, nad, pod, settings, slice, snapshot } from "./builders.ts";

const net = (e: Explanation, i: number) => e.networks[i]!;

describe("explainPod details", () => {
  it("says which selector rejected which device for the network's class", () => {
    const e = explainPod(
      snapshot({
        nads: [nad("sf-net", { resourceName: "fast" })],
        deviceClasses: [
          deviceClass("fast", [
            `device.driver == "${DRIVER}"`,
            `device.attributes["${DRIVER}"].speed >= 100`,
          ]),
        ],
        slices: [
          slice([
            { name: "vf-0", attributes: { speed: { int: 25 } } },
            { name: "vf-1", attributes: { speed: { int: 100 } } },
            { name: "eth0" },
          ]),
        ],
      }),
      settings(),
    );
    const cls = net(e, 1).resourceClass;
    expect(cls).toMatchObject({
      className: "fast",
      found: true,
      managed: false,
      scope: "node node-a",
      matching: ["netclaim.dev/node-a/vf-1"],
    });
    expect(
      cls?.devices.map((d) => [d.device, d.rejectedBy?.index, d.rejectedBy?.outcome, d.rejectedBy?.message]),
    ).toEqual([
      ["netclaim.dev/node-a/vf-0", 1, "false", undefined],
      ["netclaim.dev/node-a/vf-1", undefined, undefined, undefined],
      ["netclaim.dev/node-a/eth0", 1, "error", "no such key: speed"],
    ]);
  });

  it("evaluates each request's class and own selectors on the node's devices", () => {
    const e = explainPod(
      snapshot({
        claims: [
          claim("demo-net", {
            requests: [
              {
                name: "net",
                className: "sf-pool-1",
                selectors: [`device.attributes["${DRIVER}"].pfName == "ens1f0"`],
              },
            ],
          }),
        ],
        slices: [
          slice([
            { name: "vf-0", resourceName: "sf-pool-1", attributes: { pfName: { string: "ens1f0" } } },
            { name: "vf-1", resourceName: "sf-pool-1", attributes: { pfName: { string: "ens2f0" } } },
            { name: "vf-2", resourceName: "sf-pool-2", attributes: { pfName: { string: "ens1f0" } } },
          ]),
        ],
      }),
      settings(),
    );
    const request = e.claims[0]!.requests[0]!;
    expect(request).toMatchObject({
      name: "net",
      className: "sf-pool-1",
      classFound: true,
      matching: ["netclaim.dev/node-a/vf-0"],
    });
    expect(
      request.devices.map(
        (d) => `${d.device} ${d.rejectedBy?.source ?? "-"} ${d.rejectedBy?.outcome ?? "match"}`,
      ),
    ).toEqual([
      "netclaim.dev/node-a/vf-0 - match",
      "netclaim.dev/node-a/vf-1 request false",
      "netclaim.dev/node-a/vf-2 class false",
    ]);
  });

  it("reports the device as handed over, the claim's result and the containers", () => {
    const e = explainPod(
      snapshot({
        slices: [
          slice([
            {
              name: "vf-0",
              resourceName: "sf-pool-1",
              attributes: { "resource.kubernetes.io/pciBusID": { string: "0000:03:00.2" } },
            },
          ]),
        ],
      }),
      settings(),
    );
    expect(net(e, 1).device).toMatchObject({
      claim: "default/demo-net",
      podClaimName: "net",
      request: "net",
      className: "sf-pool-1",
      published: true,
      deviceId: "0000:03:00.2",
    });
    expect(e.claims[0]).toMatchObject({
      name: "demo-net",
      source: "template",
      containers: ["app"],
      allocated: true,
    });
    expect(e.claims[0]!.results).toEqual([
      {
        request: "net",
        device: "netclaim.dev/node-a/vf-0",
        published: true,
        resourceNameAttribute: "sf-pool-1",
        network: "default/sf-net",
      },
    ]);
  });

  it("takes the CNI config's clusterNetwork and defaultNetworks, not for system namespaces", () => {
    const conf = parseNetConf({
      cniVersion: "1.0.0",
      name: "netclaim",
      type: "netclaim",
      clusterNetwork: "calico",
      defaultNetworks: ["extra"],
    });
    const base = {
      nads: [nad("calico", { namespace: "kube-system" }), nad("sf-net", { resourceName: "sf-pool-1" })],
    };
    const user = explainPod(snapshot(base), settingsFrom(DRIVER, conf, "/etc/cni/net.d/00-netclaim.conf"));
    expect(user.networks.map((n) => [n.name, n.origin, n.status, n.interface?.name])).toEqual([
      ["kube-system/calico", "cluster-network", "ok", "eth0"],
      ["extra", "default-networks", "deferred", "net1"],
      ["default/sf-net", "networks-annotation", "ok", "net2"],
    ]);
    expect(user.settings).toBe("/etc/cni/net.d/00-netclaim.conf");
    const system = explainPod(
      snapshot({ ...base, pod: pod({ namespace: "kube-system" }) }),
      settingsFrom(DRIVER, conf),
    );
    expect(system.networks.map((n) => n.origin)).toEqual(["cluster-network", "networks-annotation"]);
  });

  it("for an unscheduled pod, evaluates the devices of every node", () => {
    const e = explainPod(
      snapshot({
        pod: pod({ node: "" }),
        claims: [claim("demo-net", { allocated: false })],
        slices: [
          slice([{ name: "vf-0", resourceName: "sf-pool-1" }], { node: "node-a" }),
          slice([{ name: "vf-0", resourceName: "sf-pool-1" }], { node: "node-b" }),
        ],
      }),
      settings(),
    );
    expect(e.pod.node).toBeUndefined();
    expect(e.claims[0]!.requests[0]!.matching).toEqual([
      "netclaim.dev/node-a/vf-0",
      "netclaim.dev/node-b/vf-0",
    ]);
    expect(net(e, 1).resourceClass?.scope).toBe("every node (the pod is not scheduled)");
  });

  it("counts only the newest generation of a pool", () => {
    const e = explainPod(
      snapshot({
        slices: [
          slice([{ name: "old", resourceName: "sf-pool-1" }], { generation: 1 }),
          slice([{ name: "vf-0", resourceName: "sf-pool-1" }], { generation: 2 }),
        ],
      }),
      settings(),
    );
    expect(e.claims[0]!.requests[0]!.devices.map((d) => d.device)).toEqual(["netclaim.dev/node-a/vf-0"]);
  });
});
