// Fault rules and the request log.
import type { FaultMatch, FaultRule, RecordedRequest, RequestMatch } from "./types.ts";

export interface RequestIdentity {
  verb: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export function faultMatches(match: FaultMatch, request: RequestIdentity): boolean {
  return (
    (match.verb === undefined || match.verb === request.verb) &&
    (match.resource === undefined || match.resource === request.resource) &&
    (match.subresource === undefined || match.subresource === request.subresource) &&
    (match.namespace === undefined || match.namespace === request.namespace) &&
    (match.name === undefined || match.name === request.name)
  );
}

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
}

export class FaultInjector {
  #rules: ActiveRule[] = [];

  /** Adds a rule; the returned function removes it. */
  add(rule: FaultRule): () => void {
    const active: ActiveRule = { rule, remaining: rule.times ?? Number.POSITIVE_INFINITY };
    this.#rules.push(active);
    return () => {
      this.#rules = this.#rules.filter((r) => r !== active);
    };
  }

  clear(): void {
    this.#rules = [];
  }

  /** The first rule matching the request, consuming one of its uses. */
  take(request: RequestIdentity): FaultRule | undefined {
    const active = this.#rules.find((r) => r.remaining > 0 && faultMatches(r.rule.match, request));
    if (active === undefined) return undefined;
    active.remaining -= 1;
    if (active.remaining <= 0) this.#rules = this.#rules.filter((r) => r !== active);
    return active.rule;
  }
}

export function requestMatches(match: RequestMatch | undefined, request: RecordedRequest): boolean {
  if (match === undefined) return true;
  return (
    (match.verb === undefined || match.verb === request.verb) &&
    (match.resource === undefined || match.resource === request.resource) &&
    (match.subresource === undefined || match.subresource === request.subresource) &&
    (match.namespace === undefined || match.namespace === request.namespace)
  );
}
