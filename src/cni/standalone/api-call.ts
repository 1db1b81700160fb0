// One API request of the CNI path under a short deadline of its own (besides the caller's signal), with
// failures turned into errors that say what was asked and why it failed. The CNI path has a runtime
// waiting on it: a request to an API server that is gone must fail in seconds, not after TCP's minutes.
//
// Public API: `DEFAULT_API_REQUEST_TIMEOUT_MS`, `callApi`, `ApiCall`.
import { CniError } from "../protocol/errors.ts";

/**
 * Per request. Multus's thin plugin uses 250 ms per pod-lookup attempt, which issue #1461 reports as too
 * short for clusters with ~700 ms round trips; 5 s leaves room for a fresh TLS handshake at that latency.
 */
export const DEFAULT_API_REQUEST_TIMEOUT_MS = 5_000;

export interface ApiCall<T> {
  /** "get pod default/web-0", for the error. */
  what: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  run: (signal: AbortSignal) => Promise<T>;
}

/**
 * Runs `run` under `timeoutMs`. Rejects with the caller's abort reason when the caller aborted; otherwise
 * with a CniError KUBE_API naming the request (a timeout said as such), the original error as its cause,
 * so that ApiError predicates (isNotFound, isConflict) still see it through `cause`.
 */
export async function callApi<T>(call: ApiCall<T>): Promise<T> {
  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal === undefined ? timeout : AbortSignal.any([call.signal, timeout]);
  try {
    return await call.run(signal);
  } catch (err) {
    if (call.signal?.aborted) throw call.signal.reason;
    const timedOut = timeout.aborted ? ` (no answer within ${call.timeoutMs}ms)` : "";
    throw new CniError("KUBE_API", `${call.what} from the API server${timedOut}`, { cause: err });
  }
}
