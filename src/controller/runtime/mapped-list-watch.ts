// A ListWatch whose objects are transformed on the way in, before an informer caches them: to read
// an older API version in the shape netclaim works in (v1beta1 ResourceSlices → v1), or to keep only
// what a controller reads (Nodes → name and uid, not kilobytes of status per node).
import type { ListWatch } from "../../k8s/list-watch.ts";
import type { KubeObject, WatchEvent } from "../../k8s/types.ts";

export function mapListWatch<A, B>(inner: ListWatch<A>, transform: (obj: A) => B): ListWatch<B> {
  return {
    async list(opts) {
      const page = await inner.list(opts);
      return { ...page, items: page.items.map(transform) };
    },
    async watch(opts) {
      const events = await inner.watch(opts);
      return mapEvents(events, transform);
    },
  };
}

async function* mapEvents<A, B>(
  events: AsyncIterable<WatchEvent<A>>,
  transform: (obj: A) => B,
): AsyncGenerator<WatchEvent<B>, void, undefined> {
  for await (const event of events) {
    if (event.type === "ERROR") yield event;
    else if (event.type === "BOOKMARK") yield event as unknown as WatchEvent<B>;
    else yield { type: event.type, object: transform(event.object) };
  }
}

/** Only the metadata a controller keys on (name, namespace, uid, resourceVersion, timestamps, labels). */
export function metadataOnly<T extends KubeObject>(obj: T): KubeObject {
  const m = obj.metadata ?? {};
  const metadata = {
    name: m.name,
    namespace: m.namespace,
    uid: m.uid,
    resourceVersion: m.resourceVersion,
    creationTimestamp: m.creationTimestamp,
    deletionTimestamp: m.deletionTimestamp,
    labels: m.labels,
  };
  const kept = Object.fromEntries(Object.entries(metadata).filter(([, v]) => v !== undefined));
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: kept };
}
