// Devices from the API server (api-candidates.ts decides): GET the pod, GET each of its ResourceClaims,
// LIST the ResourceSlices of the pod's node once per driver (field selectors spec.nodeName and
// spec.driver, as Multus's DRA client scopes them). The last resort: asked only for what the node-local
// sources could not settle. A pod that is gone, or whose UID is not the sandbox's, has no devices here; a
// claim that is gone is skipped; any other API error fails the read (the layered source logs it). Each
// request has its own deadline. A claim's status comes with it: the netclaim controller's addresses for
// its devices (api-candidates.ts), which is why the layered source asks here when the checkpoint lacks them.
//
// Public API: `ApiDeviceReader`, `ApiDeviceReaderOptions`, `DEFAULT_API_DEVICE_TIMEOUT_MS`.
import { isNotFound } from "../../k8s/api-error.ts";
import type { ResourceClient } from "../../k8s/resource-client.ts";
import type { DeviceQuery } from "../engine/ports.ts";
import { apiCandidates, indexSlices, podClaimRefs } from "./api-candidates.ts";
import type { ApiClaim, ApiPod, ApiSlice, SliceDeviceIndex } from "./api-candidates.ts";
import type { PodDeviceReader, ReaderSkip } from "./device-source.ts";
import type { CandidateDevice } from "./types.ts";

export const DEFAULT_API_DEVICE_TIMEOUT_MS = 5_000;

export interface ApiDeviceReaderOptions {
  pods: Pick<ResourceClient<ApiPod>, "get">;
  claims: Pick<ResourceClient<ApiClaim>, "get">;
  slices: Pick<ResourceClient<ApiSlice>, "list">;
  requestTimeoutMs?: number;
  skipWhen?: ReaderSkip;
}

export class ApiDeviceReader implements PodDeviceReader {
  readonly name = "api" as const;
  readonly skipWhen: ReaderSkip;
  private readonly options: ApiDeviceReaderOptions;
  private readonly timeoutMs: number;

  constructor(options: ApiDeviceReaderOptions) {
    this.options = options;
    this.skipWhen = options.skipWhen ?? "all-found";
    this.timeoutMs = options.requestTimeoutMs ?? DEFAULT_API_DEVICE_TIMEOUT_MS;
  }

  private async ask<T>(what: string, signal: AbortSignal | undefined, run: (s: AbortSignal) => Promise<T>) {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    try {
      return await run(signal === undefined ? timeout : AbortSignal.any([signal, timeout]));
    } catch (err) {
      signal?.throwIfAborted();
      if (isNotFound(err)) return undefined;
      const late = timeout.aborted ? ` (no answer within ${this.timeoutMs}ms)` : "";
      throw new Error(`${what}${late}`, { cause: err });
    }
  }

  async read(query: DeviceQuery, signal?: AbortSignal): Promise<CandidateDevice[]> {
    const { namespace, name, uid } = query.pod;
    const pod = await this.ask(`get pod ${namespace}/${name}`, signal, (s) =>
      this.options.pods.get(name, { namespace, signal: s }),
    );
    if (pod === undefined || (uid !== "" && pod.metadata?.uid !== undefined && pod.metadata.uid !== uid))
      return [];
    const nodeName = pod.spec?.nodeName ?? "";
    const slices = new Map<string, SliceDeviceIndex>();
    const found: CandidateDevice[] = [];
    for (const ref of podClaimRefs(pod)) {
      const claim = await this.ask(`get resourceclaim ${namespace}/${ref.claimName}`, signal, (s) =>
        this.options.claims.get(ref.claimName, { namespace, signal: s }),
      );
      if (claim === undefined) continue;
      for (const result of claim.status?.allocation?.devices?.results ?? []) {
        if (nodeName === "" || slices.has(result.driver)) continue;
        slices.set(result.driver, await this.slicesOf(nodeName, result.driver, signal));
      }
      found.push(...apiCandidates(claim, ref, slices));
    }
    return found;
  }

  private async slicesOf(nodeName: string, driver: string, signal?: AbortSignal): Promise<SliceDeviceIndex> {
    const fieldSelector = `spec.nodeName=${nodeName},spec.driver=${driver}`;
    const list = await this.ask(`list resourceslices ${fieldSelector}`, signal, (s) =>
      this.options.slices.list({ fieldSelector, signal: s }),
    );
    return indexSlices(list?.items ?? []);
  }
}
