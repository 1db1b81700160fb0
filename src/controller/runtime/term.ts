// One leadership term's work: start the informers, run the controllers until the term ends, then
// let the controllers drain and stop the informers. Informers start only while leading (a standby
// replica keeps no caches and makes no list or watch calls; the cost is a full list at take-over).
// If one controller fails, the whole term's work stops and the error goes up (Leadership restarts
// it with backoff), rather than half the controllers running on.
import { errorMessage } from "../../common/errors.ts";
import { linkedAbort } from "../../k8s/abort.ts";
import type { SyncSource } from "./controller.ts";

export interface TermInformer extends SyncSource {
  start(signal?: AbortSignal): void;
  stop(): Promise<void>;
}

export interface TermController {
  readonly name?: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface TermParts {
  /** By name, for /healthz. */
  informers: Readonly<Record<string, TermInformer>>;
  controllers: readonly TermController[];
}

/** Names of informers that have not synced yet. */
export function unsyncedInformers(parts: Pick<TermParts, "informers">): string[] {
  return Object.entries(parts.informers)
    .filter(([, informer]) => !informer.hasSynced())
    .map(([name]) => name);
}

export async function runTerm(parts: TermParts, signal: AbortSignal): Promise<void> {
  const { controller: term, unlink } = linkedAbort(signal);
  const informers = Object.values(parts.informers);
  let failure: unknown;
  try {
    for (const informer of informers) informer.start(term.signal);
    const runs = parts.controllers.map((c) =>
      c.run(term.signal).catch((err: unknown) => {
        failure ??= err;
        term.abort(new Error(`controller ${c.name ?? "?"} failed: ${errorMessage(err)}`));
      }),
    );
    await Promise.all(runs);
  } finally {
    term.abort(new Error("term ended"));
    await Promise.all(informers.map((i) => i.stop()));
    unlink();
  }
  if (failure !== undefined && !signal.aborted) {
    throw failure instanceof Error ? failure : new Error(errorMessage(failure));
  }
}
