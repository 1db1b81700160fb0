// The two renderers: specific lines of the human form (pod, each network's NAD, device, addresses,
// findings, the class check with the rejecting selector, the claims, the verdict) and the JSON form's
// documented fields, read back with JSON.parse.
import { describe, expect, it } from "vitest";
import { explainPod } from "../../../src/explain/explain-pod.ts";
import { EXPLANATION_SCHEMA_VERSION } from "../../../src/explain/explanation.ts";
import type { Explanation } from "../../../src/explain/explanation.ts";
import { renderJson } from "../../../src/explain/render-json.ts";
import { MAX_DEVICE_LINES, renderText } from "../../../src/explain/render-text.ts";
import { claim, managedClass, nad, pod, settings, slice, snapshot } from "./builders.ts";

function resolvedCase(): Explanation {
  return explainPod(
    snapshot({
      nads: [nad("sf-net", { resourceName: "sf-pool-1", ipPool: "pool-a" })],
      claims: [
        claim("demo-net", {
          status: [
            {
              device: "vf-0",
              ips: ["10.10.0.10/24"],
              interfaceName: "net1",
              condition: { status: "True", reason: "Allocated", message: "10.10.0.10/24 from IPPool pool-a" },
            },
          ],
        }),
      ],
      slices: [
        slice([
          {
            name: "vf-0",
            resourceName: "sf-pool-1",
            attributes: { "resource.kubernetes.io/pciBusID": { string: "0000:03:00.2" } },
          },
          { name: "eth1" },
        ]),
      ],
    }),
    settings(),
  );
}

function missingCase(): Explanation {
  return explainPod(
    snapshot({
      pod: pod({ annotations: { "k8s.v1.cni.cncf.io/networks": "sf-net,fast-net" } }),
      nads: [nad("sf-net", { resourceName: "sf-pool-1" }), nad("fast-net", { resourceName: "fast" })],
      deviceClasses: [managedClass("sf-pool-1"), managedClass("fast")],
    }),
    settings(),
  );
}

describe("renderText", () => {
  it("shows a resolved network with its NAD, device and addresses", () => {
    const lines = renderText(resolvedCase()).split("\n");
    expect(lines[0]).toBe("Pod default/demo on node node-a, Running");
    expect(lines[1]).toBe("Driver netclaim.dev; CNI settings: defaults");
    expect(lines).toContain("  [1] default/sf-net (networks-annotation) net1: ok");
    expect(lines).toContain(
      '      NAD default/sf-net, resourceName "sf-pool-1", IPPool pool-a, conf host-device',
    );
    expect(lines).toContain(
      "      device netclaim.dev/node-a/vf-0 (claim default/demo-net, request net, class sf-pool-1)",
    );
    expect(lines).toContain(
      '        published, rule attribute, deviceID 0000:03:00.2, resourceName "sf-pool-1"',
    );
    expect(lines).toContain(
      "      addresses 10.10.0.10/24, IPPool pool-a, AddressesAllocated True Allocated, attached as net1",
    );
    expect(lines).toContain("  demo-net (pod claim net; containers app): allocated");
    expect(lines).toContain(
      '      result net: netclaim.dev/node-a/vf-0 resourceName "sf-pool-1" -> default/sf-net',
    );
    expect(lines).toContain(
      "      request net: class sf-pool-1, 1 selector(s), selects 1 of 2 device(s) on node node-a",
    );
    expect(lines).toContain(
      "        netclaim.dev/node-a/eth1: rejected by class sf-pool-1 selector 0 (false)",
    );
    expect(lines.at(-2)).toBe("Every network resolves.");
  });

  it("shows why a network misses its device and what its class selects", () => {
    const lines = renderText(missingCase()).split("\n");
    expect(lines).toContain("  [2] default/fast-net (networks-annotation) net2: missing");
    expect(
      lines.some((l) =>
        l.startsWith('      error NO_MATCHING_DEVICE: pod default/demo: network "default/fast-net"'),
      ),
    ).toBe(true);
    expect(lines).toContain('      info CLASS_SELECTS: DeviceClass "fast" selects no device on node node-a');
    expect(lines).toContain("      DeviceClass fast, kept by the netclaim controller, on node node-a:");
    expect(lines).toContain(
      '        class fast selector 0: device.driver == "netclaim.dev" && "resourceName" in device.attributes["k8s.cni.cncf.io"] && device.attributes["k8s.cni.cncf.io"].resourceName == "fast"',
    );
    expect(lines).toContain("        netclaim.dev/node-a/vf-1: rejected by class fast selector 0 (false)");
    expect(lines.at(-2)).toBe("1 of 3 network(s) would not resolve.");
  });

  it("cuts long device lists", () => {
    const devices = Array.from({ length: MAX_DEVICE_LINES + 3 }, (_, i) => ({
      name: `vf-${i}`,
      resourceName: "sf-pool-1",
    }));
    const text = renderText(explainPod(snapshot({ slices: [slice(devices)] }), settings()));
    expect(text).toContain("\n        ... 3 more\n");
  });

  it("says when nothing is missing but the ADD would still fail", () => {
    const e = explainPod(
      snapshot({ pod: pod({ annotations: { "k8s.v1.cni.cncf.io/networks": "a/b/c" } }) }),
      settings(),
    );
    const lines = renderText(e).split("\n");
    expect(lines[2]).toMatch(/^ {2}error INVALID_ANNOTATION: k8s\.v1\.cni\.cncf\.io\/networks: entry 1/);
    expect(lines.at(-2)).toBe("Something would fail the ADD (see the errors above).");
  });
});

describe("renderJson", () => {
  it("prints the documented shape", () => {
    const text = renderJson(resolvedCase());
    expect(text.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(text) as Explanation;
    expect(parsed.schemaVersion).toBe(EXPLANATION_SCHEMA_VERSION);
    expect(parsed.schemaVersion).toBe(1);
    expect(parsed.resolved).toBe(true);
    expect(parsed.pod).toEqual({
      namespace: "default",
      name: "demo",
      uid: "uid-demo",
      node: "node-a",
      phase: "Running",
    });
    expect(parsed.networks[1]).toMatchObject({
      index: 1,
      name: "default/sf-net",
      origin: "networks-annotation",
      interface: { name: "net1", source: "generated" },
      request: { namespace: "default", name: "sf-net" },
      nad: {
        found: true,
        resourceName: "sf-pool-1",
        ipPool: "pool-a",
        config: { source: "spec.config", kind: "conf", types: ["host-device"] },
      },
      device: {
        device: "netclaim.dev/node-a/vf-0",
        rule: "attribute",
        claim: "default/demo-net",
        published: true,
        deviceId: "0000:03:00.2",
      },
      addresses: {
        ips: ["10.10.0.10/24"],
        ipPool: "pool-a",
        allocated: { status: "True", reason: "Allocated" },
      },
      resourceClass: {
        className: "sf-pool-1",
        found: true,
        managed: true,
        matching: ["netclaim.dev/node-a/vf-0"],
      },
      status: "ok",
      findings: [],
    });
    expect(parsed.claims[0]).toMatchObject({
      name: "demo-net",
      podClaimName: "net",
      source: "template",
      found: true,
      allocated: true,
    });
  });

  it("carries each finding's severity, code and message", () => {
    const parsed = JSON.parse(renderJson(missingCase())) as Explanation;
    expect(parsed.resolved).toBe(false);
    expect(parsed.networks[2]?.status).toBe("missing");
    expect(parsed.networks[2]?.findings[0]).toMatchObject({ severity: "error", code: "NO_MATCHING_DEVICE" });
    const first = parsed.networks[2]?.resourceClass?.devices[0];
    expect(first).toMatchObject({
      device: "netclaim.dev/node-a/vf-0",
      matches: false,
      rejectedBy: { source: "class", className: "fast", index: 0, outcome: "false" },
    });
    expect(first?.rejectedBy?.expression).toContain('resourceName == "fast"');
    expect(first?.rejectedBy?.message).toBeUndefined();
  });
});
