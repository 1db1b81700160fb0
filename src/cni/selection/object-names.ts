// Kubernetes object-name rules for what a selection names, as phrases for error messages.
//
// Namespaces are DNS-1123 labels (at most 63 characters). NetworkAttachmentDefinitions are custom
// resources, whose names are DNS-1123 subdomains (at most 253 characters, dots allowed). Multus's text
// form is stricter than the API server: it requires every name to be a DNS-1123 label
// (parsePodNetworkObjectName), so `my.net` is refused there although such a NAD can exist; netclaim keeps
// that, so the text syntax stays exactly Multus's. Multus's JSON form checks nothing and fails at the NAD
// lookup; netclaim refuses up front only names no object can have. Multus has no length limits; the
// limits here only refuse names that no object can have either.

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const MAX_NAMESPACE_LENGTH = 63;
export const MAX_OBJECT_NAME_LENGTH = 253;

const LABEL_RULE =
  "must consist of lower case alphanumeric characters or '-', and start and end with an alphanumeric character";
const SUBDOMAIN_RULE =
  "must consist of lower case alphanumeric characters, '-' or '.', and start and end with an alphanumeric character";

function tooLong(what: string, value: string, max: number): string | undefined {
  return value.length > max
    ? `${what} ${JSON.stringify(value)} must be at most ${max} characters long`
    : undefined;
}

/** Why `namespace` cannot name a namespace, or undefined. */
export function namespaceProblem(namespace: string): string | undefined {
  if (!LABEL.test(namespace)) return `namespace ${JSON.stringify(namespace)} ${LABEL_RULE}`;
  return tooLong("namespace", namespace, MAX_NAMESPACE_LENGTH);
}

/** Why `name` is refused in the text form (Multus: DNS-1123 label), or undefined. */
export function textNameProblem(name: string): string | undefined {
  if (!LABEL.test(name)) return `network name ${JSON.stringify(name)} ${LABEL_RULE}`;
  return tooLong("network name", name, MAX_OBJECT_NAME_LENGTH);
}

/** Why `name` cannot name a NetworkAttachmentDefinition (DNS-1123 subdomain), or undefined. */
export function jsonNameProblem(name: string): string | undefined {
  if (!SUBDOMAIN.test(name)) return `network name ${JSON.stringify(name)} ${SUBDOMAIN_RULE}`;
  return tooLong("network name", name, MAX_OBJECT_NAME_LENGTH);
}
