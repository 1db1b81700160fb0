// What one leadership term runs: the shared informers (NADs, DeviceClasses, this driver's
// ResourceSlices, Nodes as metadata only), the class controller, the ResourceSlice garbage collector,
// and — when the API serves netclaim.dev/v1alpha1 IPPools and IPAllocations — IPAM
// (ipam-controllers.ts). Informers are created per term: a new term starts from a fresh list.
import type { Clock } from "../../common/clock.ts";
import type { Logger } from "../../common/logger.ts";
import type { KubeClient } from "../../k8s/client.ts";
import { Informer } from "../../k8s/informer.ts";
import { indexByNamespace } from "../../k8s/informer-store.ts";
import type { IndexFunc } from "../../k8s/informer-store.ts";
import type { ListWatch } from "../../k8s/list-watch.ts";
import { RESOURCE_TYPES, atVersion } from "../../k8s/resource-path.ts";
import { RESOURCE_GROUP } from "../../k8s/resource-slice-types.ts";
import type { ResourceSlice } from "../../k8s/resource-slice-types.ts";
import { parseSlice } from "../../k8s/resource-slice-versions.ts";
import type { ResourceSliceVersion } from "../../k8s/resource-slice-versions.ts";
import type { KubeObject } from "../../k8s/types.ts";
import {
  CLASS_CONTROLLER_NAME,
  DeviceClassController,
  nadIndexers,
  sliceIndexers,
} from "../classes/class-controller.ts";
import type { DeviceClass } from "../classes/device-class.ts";
import type { NetworkAttachmentDefinition } from "../classes/nad.ts";
import { SLICE_GC_CONTROLLER_NAME, SliceGcController, sliceGcIndexers } from "../gc/slice-gc-controller.ts";
import { EventRecorder, eventSinkFrom } from "./event-recorder.ts";
import { BY_NAMESPACE, ipamTermParts } from "./ipam-controllers.ts";
import { mapListWatch, metadataOnly } from "./mapped-list-watch.ts";
import type { ControllerMetrics } from "./metrics.ts";
import type { TermParts } from "./term.ts";

export interface TermSettings {
  kube: KubeClient;
  driverName: string;
  /** The served resource.k8s.io version. */
  version: ResourceSliceVersion;
  /** IPPools and IPAllocations are served: run IPAM. */
  ipam: boolean;
  /** This replica (Events' reportingInstance). */
  identity: string;
  component: string;
  metrics: ControllerMetrics;
  resyncPeriodMs: number;
  sliceGcGracePeriodMs?: number | undefined;
  poolGcGracePeriodMs?: number | undefined;
  ipamResyncPeriodMs?: number | undefined;
  clock: Clock;
  logger: Logger;
}

type NewInformer = <T extends KubeObject>(
  name: string,
  listWatch: ListWatch<T>,
  extra?: { fieldSelector?: string; indexers?: Record<string, IndexFunc<T>> },
) => Informer<T>;

interface CoreInformers {
  nads: Informer<NetworkAttachmentDefinition>;
  classes: Informer<DeviceClass>;
  slices: Informer<ResourceSlice>;
  nodes: Informer<KubeObject>;
}

function coreInformers(s: TermSettings, newInformer: NewInformer): CoreInformers {
  const { kube, version } = s;
  const sliceType = atVersion(RESOURCE_TYPES.resourceSlices, version);
  return {
    nads: newInformer<NetworkAttachmentDefinition>(
      "network-attachment-definitions",
      kube.listWatch(RESOURCE_TYPES.networkAttachmentDefinitions),
      { indexers: { ...nadIndexers, [BY_NAMESPACE]: indexByNamespace } },
    ),
    classes: newInformer<DeviceClass>(
      "deviceclasses",
      kube.listWatch(atVersion(RESOURCE_TYPES.deviceClasses, version)),
    ),
    slices: newInformer<ResourceSlice>(
      "resourceslices",
      mapListWatch(kube.listWatch<KubeObject>(sliceType), (obj) => parseSlice(obj, version)),
      { fieldSelector: `spec.driver=${s.driverName}`, indexers: { ...sliceIndexers, ...sliceGcIndexers } },
    ),
    nodes: newInformer<KubeObject>(
      "nodes",
      mapListWatch(kube.listWatch<KubeObject>(RESOURCE_TYPES.nodes), metadataOnly),
    ),
  };
}

function coreControllers(s: TermSettings, i: CoreInformers): TermParts["controllers"] {
  const { kube, version } = s;
  const common = { clock: s.clock, logger: s.logger };
  const classController = new DeviceClassController({
    ...common,
    nads: i.nads,
    classes: i.classes,
    slices: i.slices,
    driverName: s.driverName,
    client: kube.resource<DeviceClass>(atVersion(RESOURCE_TYPES.deviceClasses, version)),
    events: new EventRecorder({
      ...common,
      sink: eventSinkFrom(kube.resource(RESOURCE_TYPES.events), s.component),
      component: s.component,
      instance: s.identity,
      onEvent: (type, reason) => s.metrics.eventEmitted(type, reason),
    }),
    apiVersion: `${RESOURCE_GROUP}/${version}`,
    fieldManager: s.component,
    observer: s.metrics.observerFor(CLASS_CONTROLLER_NAME),
  });
  const sliceGc = new SliceGcController({
    ...common,
    driverName: s.driverName,
    slices: i.slices,
    nodes: i.nodes,
    sliceClient: kube.resource(atVersion(RESOURCE_TYPES.resourceSlices, version)),
    nodeClient: kube.resource(RESOURCE_TYPES.nodes),
    ...(s.sliceGcGracePeriodMs === undefined ? {} : { gracePeriodMs: s.sliceGcGracePeriodMs }),
    observer: s.metrics.observerFor(SLICE_GC_CONTROLLER_NAME),
    onDeleted: () => s.metrics.gcDeletedOne("resourceslice"),
  });
  return [
    { name: CLASS_CONTROLLER_NAME, run: (signal) => classController.run(signal) },
    { name: SLICE_GC_CONTROLLER_NAME, run: (signal) => sliceGc.run(signal) },
  ];
}

export function buildTermParts(s: TermSettings): TermParts {
  const newInformer: NewInformer = (name, listWatch, extra = {}) =>
    new Informer({
      name,
      listWatch,
      resyncPeriodMs: s.resyncPeriodMs,
      clock: s.clock,
      logger: s.logger,
      ...extra,
    });
  const informers = coreInformers(s, newInformer);
  const core: TermParts = { informers: { ...informers }, controllers: coreControllers(s, informers) };
  if (!s.ipam) return core;
  const ipam = ipamTermParts({
    clock: s.clock,
    logger: s.logger,
    kube: s.kube,
    driverName: s.driverName,
    claimsType: atVersion(RESOURCE_TYPES.resourceClaims, s.version),
    resourceSlicesType: atVersion(RESOURCE_TYPES.resourceSlices, s.version),
    nads: informers.nads,
    slices: informers.slices,
    newInformer: (name, listWatch) => newInformer(name, listWatch),
    instance: s.identity,
    metrics: s.metrics,
    ...(s.ipamResyncPeriodMs === undefined ? {} : { resyncPeriodMs: s.ipamResyncPeriodMs }),
    ...(s.poolGcGracePeriodMs === undefined ? {} : { poolGcGracePeriodMs: s.poolGcGracePeriodMs }),
  });
  return {
    informers: { ...core.informers, ...ipam.informers },
    controllers: [...core.controllers, ...ipam.controllers],
  };
}
