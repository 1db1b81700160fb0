// The elector's LeaseClient over the generic resource client (coordination.k8s.io/v1 leases).
import { isNotFound } from "./api-error.ts";
import type { LeaseClient } from "./leader-election-config.ts";
import type { Lease } from "./lease-record.ts";
import type { ResourceClient } from "./resource-client.ts";

export function leaseClientFrom(
  leases: Pick<ResourceClient<Lease>, "get" | "create" | "update">,
  opts: { fieldManager?: string } = {},
): LeaseClient {
  return {
    async get(ref, signal) {
      try {
        return await leases.get(ref.name, { namespace: ref.namespace, signal });
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    create: (lease, signal) => leases.create(lease, { signal, fieldManager: opts.fieldManager }),
    update: (lease, signal) => leases.update(lease, { signal, fieldManager: opts.fieldManager }),
  };
}
