// A ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1) evaluated against one admission request the
// way kube-apiserver does, for what netclaim's policies use, on @bufbuild/cel. Pure:
//   - matchConstraints.resourceRules: apiGroups, apiVersions, operations, resources ("pods/status" for a
//     subresource; a plain resource matches only requests without one), "*" understood;
//   - matchConditions, in order, all true, else the policy does not apply; then variables, in order, each
//     seeing the earlier ones as `variables.<name>`; then validations, in order: the first false one denies
//     with its message (messageExpression, else message); an expression that errors or is not a bool denies
//     too (failurePolicy Fail, what the policies say);
//   - the CEL variables of an admission policy: object and oldObject (null when the operation has none),
//     request (operation, userInfo with extra, resource, subResource, name, namespace), params (null: no
//     paramKind), variables.
// Not done: type checking and cost limits (kube-apiserver's compile step), namespaceObject, authorizer,
// matchResources of bindings, paramKind, auditAnnotations; variables are evaluated eagerly, where
// kube-apiserver evaluates them when first used (the same for policies whose variables cannot fail).
//
// Public API: `AdmissionRequest`, `AdmissionOutcome`, `ValidatingPolicy`, `evaluatePolicy`.
import { isCelError, run } from "@bufbuild/cel";
import type { CelInput } from "@bufbuild/cel";

type Json = Record<string, unknown>;

export interface AdmissionRequest {
  operation: "CREATE" | "UPDATE" | "DELETE";
  resource: { group: string; version: string; resource: string };
  subResource?: string;
  name?: string;
  namespace?: string;
  userInfo: {
    username: string;
    groups?: readonly string[];
    extra?: Readonly<Record<string, readonly string[]>>;
  };
  object?: Json | null;
  oldObject?: Json | null;
}

export type AdmissionOutcome =
  { kind: "not-matched" } | { kind: "allowed" } | { kind: "denied"; validation: number; message: string };

interface ResourceRule {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
}

interface NamedExpression {
  name: string;
  expression: string;
}

interface Validation {
  expression: string;
  message?: string;
  messageExpression?: string;
}

export interface ValidatingPolicy {
  spec: {
    matchConstraints?: { resourceRules?: ResourceRule[] };
    matchConditions?: NamedExpression[];
    variables?: NamedExpression[];
    validations?: Validation[];
  };
}

const listHas = (list: readonly string[] | undefined, value: string): boolean =>
  (list ?? []).some((v) => v === "*" || v === value);

function ruleMatches(rule: ResourceRule, request: AdmissionRequest): boolean {
  const { group, version, resource } = request.resource;
  const wanted = request.subResource === undefined ? resource : `${resource}/${request.subResource}`;
  return (
    listHas(rule.apiGroups, group) &&
    listHas(rule.apiVersions, version) &&
    listHas(rule.operations, request.operation) &&
    (rule.resources ?? []).some((r) => r === "*" || r === wanted)
  );
}

function bindingsOf(request: AdmissionRequest): Record<string, CelInput> {
  const { object, oldObject, ...rest } = request;
  const userInfo = { groups: [], extra: {}, ...request.userInfo };
  return {
    request: { ...rest, userInfo, subResource: request.subResource ?? "" },
    object: (object ?? null) as CelInput,
    oldObject: (oldObject ?? null) as CelInput,
    params: null,
  };
}

type Evaluated = { ok: true; value: unknown } | { ok: false; message: string };

function evaluate(expression: string, bindings: Record<string, CelInput>): Evaluated {
  const result = run(expression, bindings);
  if (isCelError(result)) return { ok: false, message: result.message };
  return { ok: true, value: result };
}

function messageOf(validation: Validation, bindings: Record<string, CelInput>): string {
  if (validation.messageExpression !== undefined) {
    const message = evaluate(validation.messageExpression, bindings);
    if (message.ok && typeof message.value === "string") return message.value;
  }
  return validation.message ?? `failed expression: ${validation.expression}`;
}

/** What the policy (bound with validationActions [Deny]) makes of the request. */
export function evaluatePolicy(policy: ValidatingPolicy, request: AdmissionRequest): AdmissionOutcome {
  const rules = policy.spec.matchConstraints?.resourceRules ?? [];
  if (!rules.some((rule) => ruleMatches(rule, request))) return { kind: "not-matched" };
  const bindings = bindingsOf(request);
  for (const condition of policy.spec.matchConditions ?? []) {
    const matched = evaluate(condition.expression, bindings);
    if (!matched.ok)
      return {
        kind: "denied",
        validation: -1,
        message: `matchCondition ${condition.name}: ${matched.message}`,
      };
    if (matched.value !== true) return { kind: "not-matched" };
  }
  const variables: Record<string, unknown> = {};
  bindings["variables"] = variables as CelInput;
  for (const variable of policy.spec.variables ?? []) {
    const value = evaluate(variable.expression, bindings);
    if (!value.ok)
      return { kind: "denied", validation: -1, message: `variable ${variable.name}: ${value.message}` };
    variables[variable.name] = value.value;
  }
  for (const [index, validation] of (policy.spec.validations ?? []).entries()) {
    const passed = evaluate(validation.expression, bindings);
    if (!passed.ok)
      return { kind: "denied", validation: index, message: `expression error: ${passed.message}` };
    if (passed.value !== true)
      return { kind: "denied", validation: index, message: messageOf(validation, bindings) };
  }
  return { kind: "allowed" };
}
