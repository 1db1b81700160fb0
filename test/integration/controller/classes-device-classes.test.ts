// The class controller in an in-process NetclaimController against the stand-in API server: a
// DeviceClass follows the NAD label (created, corrected after an edit, annotated with each NAD that
// wants it, deleted when none does), a class netclaim does not manage is never touched, and Warning
// Events (core/v1, what `kubectl describe` lists) name NADs whose resourceName matches no class or
// no published device (once per condition: test/unit/controller/classes/class-controller.test.ts).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NetclaimController } from "../../../src/controller/controller.ts";
import type { FakeApiServer, KubeObject } from "../../harness/api-server/index.ts";
import {
  eventsAbout,
  eventually,
  inProcessController,
  nadObject,
  nodeObject,
  ref,
  sliceObject,
  startServer,
} from "./runtime-support.ts";

let server: FakeApiServer;
let controller: NetclaimController;

beforeEach(async () => {
  server = await startServer();
  server.seed(nodeObject("node-a"));
  controller = inProcessController(server);
});

afterEach(async () => {
  await controller.stop();
  await server.stop();
});

type ClassSpec = { selectors?: { cel?: { expression?: string } }[]; config?: unknown[] };
type Cls = KubeObject & { spec?: ClassSpec };
function cls(name: string): Cls | undefined {
  const found = server.getObject(ref.deviceClass(name));
  return found === undefined ? undefined : { ...found, spec: found.spec as ClassSpec | undefined };
}
const reasonsAbout = (name: string) =>
  eventsAbout(server, name)
    .map((e) => `${e.type as string}/${e.reason as string}`)
    .sort();

const EXPR =
  'device.driver == "netclaim.dev" && "resourceName" in device.attributes["k8s.cni.cncf.io"] && ' +
  'device.attributes["k8s.cni.cncf.io"].resourceName == "sf-pool-1"';

describe("DeviceClasses kept in step with NADs", () => {
  it("creates, annotates, corrects and deletes the class as NAD labels come and go", async () => {
    server.seed(sliceObject({ node: "node-a", resourceNames: ["sf-pool-1"] }));
    server.seed(nadObject("net-a", "sf-pool-1", { manage: true }));
    await controller.start();
    await eventually(() => cls("sf-pool-1") !== undefined, "class created");
    expect(cls("sf-pool-1")).toMatchObject({
      metadata: {
        labels: { "app.kubernetes.io/managed-by": "netclaim", "netclaim.dev/driver": "netclaim.dev" },
        annotations: { "netclaim.dev/networks": "default/net-a" },
      },
      spec: { selectors: [{ cel: { expression: EXPR } }] },
    });

    server.seed(nadObject("net-b", "sf-pool-1", { manage: true, namespace: "kube-system" }));
    await eventually(
      () =>
        cls("sf-pool-1")?.metadata?.annotations?.["netclaim.dev/networks"] ===
        "default/net-a,kube-system/net-b",
      "both NADs listed",
    );

    // Someone edits the selector and adds config: the selector is put back, the config stays.
    const edited = structuredClone(cls("sf-pool-1")!);
    edited.spec = {
      selectors: [{ cel: { expression: "true" } }],
      config: [{ opaque: { driver: "netclaim.dev", parameters: {} } }],
    };
    server.seed(edited);
    await eventually(
      () => cls("sf-pool-1")?.spec?.selectors?.[0]?.cel?.expression === EXPR,
      "drift corrected",
    );
    expect(cls("sf-pool-1")?.spec?.config).toHaveLength(1);

    server.seed(nadObject("net-a", "sf-pool-1"));
    server.seed(nadObject("net-b", "sf-pool-1", { namespace: "kube-system" }));
    await eventually(() => cls("sf-pool-1") === undefined, "class deleted once no NAD wants it");
    await eventually(() => reasonsAbout("net-a").length > 0, "the NAD is told it has no class now");
    expect(reasonsAbout("net-a")).toEqual(["Warning/NoDeviceClass"]);
  });

  it("never touches a class it does not manage, and says so on the NAD", async () => {
    server.seed(sliceObject({ node: "node-a", resourceNames: ["vf-pool"] }));
    const foreign = server.seed({
      apiVersion: "resource.k8s.io/v1",
      kind: "DeviceClass",
      metadata: { name: "vf-pool", labels: { "app.kubernetes.io/managed-by": "Helm" } },
      spec: { selectors: [{ cel: { expression: 'device.driver == "other"' } }] },
    });
    server.seed(nadObject("net-v", "vf-pool", { manage: true }));
    await controller.start();
    await eventually(() => reasonsAbout("net-v").length === 1, "warning");
    expect(reasonsAbout("net-v")).toEqual(["Warning/DeviceClassNotManaged"]);
    expect(cls("vf-pool")?.metadata?.resourceVersion).toBe(foreign.metadata?.resourceVersion);
    expect(server.requestCount({ verb: "update", resource: "deviceclasses" })).toBe(0);
    expect(server.requestCount({ verb: "delete", resource: "deviceclasses" })).toBe(0);
  });

  it("warns about a resourceName that matches no class or no published device", async () => {
    server.seed(nadObject("net-x", "x-pool", { manage: true }));
    server.seed(nadObject("plain", "y-pool"));
    await controller.start();
    await eventually(
      () => reasonsAbout("plain").length === 2 && reasonsAbout("net-x").length === 1,
      "warnings",
    );
    expect(reasonsAbout("net-x")).toEqual(["Warning/NoPublishedDevice"]);
    expect(reasonsAbout("plain")).toEqual(["Warning/NoDeviceClass", "Warning/NoPublishedDevice"]);
    const event = eventsAbout(server, "net-x")[0]!;
    expect(event).toMatchObject({
      involvedObject: {
        kind: "NetworkAttachmentDefinition",
        apiVersion: "k8s.cni.cncf.io/v1",
        namespace: "default",
      },
      source: { component: "netclaim-controller" },
      count: 1,
    });
    expect(event.message).toContain('"x-pool"');

    expect(cls("x-pool")).toBeDefined(); // the class is there even before a device is
  });
});
