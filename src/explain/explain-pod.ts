// `netclaim explain pod`'s decision: from a snapshot of the API objects (snapshot.ts) and the CNI side's
// settings to the Explanation (explanation.ts) — the networks in attach order (networks.ts), their
// interface names (the CNI side's assignInterfaceNames), the claims and their devices (claims.ts), which
// device each network gets and why one is missing (devices.ts). `resolved` is true when every network
// resolves and nothing would fail the ADD: the command exits 0 then, 1 otherwise. Pure.
//
// Public API: `explainPod`.
import { assignInterfaceNames } from "../cni/selection/interface-names.ts";
import { readClaims } from "./claims.ts";
import { explainDevices } from "./devices.ts";
import { EXPLANATION_SCHEMA_VERSION, finding } from "./explanation.ts";
import type { Explanation, Finding } from "./explanation.ts";
import { planNetworks } from "./networks.ts";
import type { NetworkDraft } from "./networks.ts";
import { publishedDevices } from "./selectors.ts";
import type { ExplainSettings, ExplainSnapshot } from "./snapshot.ts";

function nameInterfaces(networks: readonly NetworkDraft[], findings: Finding[]): void {
  const assigned = assignInterfaceNames(
    networks.map((n) => ({
      network: n.explanation.name,
      ...(n.selection?.interfaceName === undefined ? {} : { requested: n.selection.interfaceName }),
    })),
  );
  if (!assigned.ok) {
    findings.push(finding("error", "INTERFACE_NAME", assigned.error.message));
    return;
  }
  assigned.value.forEach((name, i) => {
    const network = networks[i];
    if (network !== undefined) network.explanation.interface = { name: name.name, source: name.source };
  });
}

function podView(snapshot: ExplainSnapshot): Explanation["pod"] {
  const { metadata, spec, status } = snapshot.pod;
  return {
    namespace: metadata?.namespace ?? "",
    name: metadata?.name ?? "",
    ...(metadata?.uid === undefined ? {} : { uid: metadata.uid }),
    ...(spec?.nodeName === undefined || spec.nodeName === "" ? {} : { node: spec.nodeName }),
    ...(status?.phase === undefined ? {} : { phase: status.phase }),
  };
}

/** The explanation of the snapshot's pod (see the header). */
export function explainPod(snapshot: ExplainSnapshot, settings: ExplainSettings): Explanation {
  const node = snapshot.pod.spec?.nodeName ?? "";
  const scope = node === "" ? "every node (the pod is not scheduled)" : `node ${node}`;
  const slices = node === "" ? snapshot.slices : snapshot.slices.filter((s) => s.spec?.nodeName === node);
  const published = publishedDevices(slices);
  const view = readClaims({ snapshot, driverName: settings.driverName, published, scope });
  const { networks, findings } = planNetworks(snapshot.pod, settings, snapshot.nads);
  explainDevices(networks, { snapshot, driverName: settings.driverName, view, published, scope });
  nameInterfaces(networks, findings);
  const errors = [
    ...findings,
    ...networks.flatMap((n) => n.explanation.findings),
    ...view.claims.flatMap((c) => c.findings),
  ].filter((f) => f.severity === "error");
  return {
    schemaVersion: EXPLANATION_SCHEMA_VERSION,
    pod: podView(snapshot),
    driverName: settings.driverName,
    settings: settings.source,
    networks: networks.map((n) => n.explanation),
    claims: view.claims,
    findings,
    resolved: errors.length === 0 && networks.every((n) => n.explanation.status !== "missing"),
  };
}
