// From the stand-in API server's recorded requests to what RBAC is asked, per service account. Pure.
//   - A request is a component's when its user agent is netclaim's, "netclaim/<version> (<component>)"
//     (src/k8s/client.ts userAgent; the standalone CNI plugin's is the same with "cni"); the tests' own
//     requests (seeding, inspecting) carry other agents, or netclaim's with the component "test-setup"
//     (TEST_COMPONENT), and are left out. Any other netclaim component without a service account here is an
//     error: a new component needs its RBAC thought about.
//   - kubelet-plugin (with the CNI server it hosts) and cni (the standalone plugin, which authenticates with
//     the kubeconfig install-cni writes from the DaemonSet's token) are netclaim-kubelet-plugin; controller is
//     netclaim-controller.
//   - A resource request becomes its RBAC attributes (verb, group, resource, subresource, namespace, name); a
//     request the stand-in does not map to a resource (discovery: /apis/<group>, ...) is a non-resource get.
//   - Derived checks: what Kubernetes 1.36+ asks RBAC besides the request itself. With the feature gate
//     DRAResourceClaimGranularStatusAuthorization a write of resourceclaims/status that changes status.devices
//     entries of a driver is also checked as verb "<associated-node|arbitrary-node>:<verb>" on
//     resourceclaims/driver named after the driver, in the claim's namespace (associated-node when the writer
//     is a service account whose token names the node of the claim's single-node allocation). netclaim's
//     status writes are always its own entries (netclaim.dev); the node daemon only writes claims allocated
//     to its node (associated-node), the controller claims on any node (arbitrary-node). The stand-in serves
//     no such check, so these are derived from the recorded status writes rather than recorded.
//
// Public API: `ServiceAccountRef`, `ComponentCall`, `COMPONENT_SERVICE_ACCOUNTS`, `TEST_COMPONENT`,
// `componentOf`, `attributesOf`, `callsOf`, `derivedStatusChecks`, `describeAttributes`.
import { NETCLAIM_VERSION } from "../../../../src/k8s/client.ts";
import type { RecordedRequest } from "../../../harness/api-server/index.ts";
import { CONTROLLER_SA, DRIVER, PLUGIN_SA } from "./manifests.ts";
import type { RequestAttributes } from "./rbac-authorizer.ts";

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

export interface ComponentCall {
  component: string;
  serviceAccount: ServiceAccountRef;
  attrs: RequestAttributes;
  /** The scenario that recorded it, or "derived: <why>". */
  source: string;
}

export const COMPONENT_SERVICE_ACCOUNTS: Readonly<Record<string, ServiceAccountRef>> = {
  "kubelet-plugin": PLUGIN_SA,
  cni: PLUGIN_SA,
  controller: CONTROLLER_SA,
};

/** The component name of the scenarios' own API clients (KubeClient always says "netclaim/<version>"). */
export const TEST_COMPONENT = "test-setup";

/** Which node-association verb prefix a component's claim status writes are checked with on 1.36+. */
const STATUS_WRITE_PREFIX: Readonly<Record<string, "associated-node:" | "arbitrary-node:">> = {
  "kubelet-plugin": "associated-node:",
  cni: "associated-node:",
  controller: "arbitrary-node:",
};

const USER_AGENT_RE = /^netclaim\/(\S+) \(([^)]+)\)$/;

/** The component of a netclaim user agent (of this version), or undefined for anyone else. */
export function componentOf(userAgent: string | undefined): string | undefined {
  const match = USER_AGENT_RE.exec(userAgent ?? "");
  if (match === null || match[1] !== NETCLAIM_VERSION) return undefined;
  return match[2];
}

export function attributesOf(r: RecordedRequest): RequestAttributes {
  if (r.resource === "") return { kind: "non-resource", verb: "get", path: r.path };
  return {
    kind: "resource",
    verb: r.verb,
    apiGroup: r.apiGroup,
    resource: r.resource,
    ...(r.subresource === undefined ? {} : { subresource: r.subresource }),
    ...(r.namespace === undefined ? {} : { namespace: r.namespace }),
    ...(r.name === undefined ? {} : { name: r.name }),
  };
}

/** The netclaim components' requests among `requests`, as RBAC sees them. */
export function callsOf(requests: readonly RecordedRequest[], scenario: string): ComponentCall[] {
  const out: ComponentCall[] = [];
  for (const r of requests) {
    const component = componentOf(r.userAgent);
    if (component === undefined || component === TEST_COMPONENT) continue;
    const serviceAccount = COMPONENT_SERVICE_ACCOUNTS[component];
    if (serviceAccount === undefined) {
      throw new Error(`scenario ${scenario}: netclaim component "${component}" has no service account here`);
    }
    out.push({ component, serviceAccount, attrs: attributesOf(r), source: scenario });
  }
  return out;
}

function isClaimStatusWrite(
  attrs: RequestAttributes,
): attrs is Extract<RequestAttributes, { kind: "resource" }> {
  return (
    attrs.kind === "resource" &&
    attrs.apiGroup === "resource.k8s.io" &&
    attrs.resource === "resourceclaims" &&
    attrs.subresource === "status" &&
    (attrs.verb === "patch" || attrs.verb === "update")
  );
}

/** The resourceclaims/driver checks Kubernetes 1.36+ adds to the recorded claim status writes. */
export function derivedStatusChecks(calls: readonly ComponentCall[]): ComponentCall[] {
  const out: ComponentCall[] = [];
  for (const call of calls) {
    const { attrs } = call;
    if (!isClaimStatusWrite(attrs)) continue;
    const prefix = STATUS_WRITE_PREFIX[call.component];
    if (prefix === undefined) throw new Error(`no status-write verb prefix for component ${call.component}`);
    out.push({
      ...call,
      attrs: {
        kind: "resource",
        verb: `${prefix}${attrs.verb}`,
        apiGroup: "resource.k8s.io",
        resource: "resourceclaims",
        subresource: "driver",
        ...(attrs.namespace === undefined ? {} : { namespace: attrs.namespace }),
        name: DRIVER,
      },
      source: `derived: Kubernetes 1.36+ check of ${call.source}'s ${attrs.verb} resourceclaims/status`,
    });
  }
  return out;
}

/** "patch resource.k8s.io/resourceclaims/status ns=team-a name=c1", "get /apis/resource.k8s.io". */
export function describeAttributes(attrs: RequestAttributes): string {
  if (attrs.kind === "non-resource") return `${attrs.verb} ${attrs.path}`;
  const resource =
    attrs.subresource === undefined ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  const where = [
    attrs.namespace === undefined ? "" : ` ns=${attrs.namespace}`,
    attrs.name === undefined ? "" : ` name=${attrs.name}`,
  ].join("");
  return `${attrs.verb} ${attrs.apiGroup === "" ? "core" : attrs.apiGroup}/${resource}${where}`;
}
