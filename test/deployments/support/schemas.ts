// Schema validation of manifests: built-in kinds against the Kubernetes OpenAPI schemas compiled into
// kubernetes-models (each kind's model class, `.validate()`), objects of custom resources against their
// CRD's own openAPIV3Schema, compiled with the ajv that @kubernetes-models/validate uses (its formats, its
// error messages through `runValidateFunc`). Unknown fields: kubernetes-models' schemas accept them (the
// API server's strict field validation refuses them; strict-fields.ts checks that), while a CRD schema is
// made strict here the way the API server treats structural schemas: an object with `properties` and
// neither `additionalProperties` nor `x-kubernetes-preserve-unknown-fields` allows no other field.
// The CRDs' CEL rules (x-kubernetes-validations) are not evaluated; the tests parse IPPools with the
// controller's own parser (src/api/ip-pool.ts) for what those rules check.
//
// Public API: `CrdSchemas`, `crdSchemasOf`, `schemaProblems`, `modelSpecifier`.
import { createRequire } from "node:module";
import { formats, runValidateFunc } from "@kubernetes-models/validate";
import type { ValidateFunc } from "@kubernetes-models/validate";
import type { Manifest } from "./manifests.ts";

interface AjvInstance {
  compile(schema: object): ValidateFunc<unknown>;
}
type AjvConstructor = new (options: Record<string, unknown>) => AjvInstance;

// The ajv (v8) @kubernetes-models/validate depends on, resolved from its own directory (the top-level
// ajv is eslint's v6).
const requireFromValidate = createRequire(import.meta.resolve("@kubernetes-models/validate"));
const Ajv = requireFromValidate("ajv") as AjvConstructor;
const ajv = new Ajv({ strict: false, allErrors: true, formats });

type JsonSchema = Record<string, unknown> & { properties?: Record<string, JsonSchema>; items?: JsonSchema };

/** The schema with unknown fields refused wherever the API server would prune or refuse them. */
function strictSchema(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (schema.properties !== undefined) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, inner]) => [name, strictSchema(inner)]),
    );
    const open =
      schema["additionalProperties"] !== undefined || schema["x-kubernetes-preserve-unknown-fields"] === true;
    if (!open) out["additionalProperties"] = false;
  }
  if (schema.items !== undefined) out.items = strictSchema(schema.items);
  return out;
}

/** Compiled validators by "apiVersion/kind" ("netclaim.dev/v1alpha1/IPPool"). */
export type CrdSchemas = ReadonlyMap<string, ValidateFunc<unknown>>;

interface CrdShape {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema?: { openAPIV3Schema?: JsonSchema } }[];
  };
}

/** The validators of every served version of the CRDs among `manifests`. */
export function crdSchemasOf(manifests: readonly Manifest[]): CrdSchemas {
  const out = new Map<string, ValidateFunc<unknown>>();
  for (const { object } of manifests) {
    if (object.kind !== "CustomResourceDefinition") continue;
    const { group, names, versions } = (object as unknown as CrdShape).spec;
    for (const version of versions) {
      const schema = version.schema?.openAPIV3Schema;
      if (!version.served || schema === undefined) continue;
      out.set(`${group}/${version.name}/${names.kind}`, ajv.compile(strictSchema(schema)));
    }
  }
  return out;
}

/** The kubernetes-models module of a built-in kind: "kubernetes-models/apps/v1/DaemonSet". */
export function modelSpecifier(apiVersion: string, kind: string): string {
  return `kubernetes-models/${apiVersion}/${kind}`;
}

type ModelClass = new (data: unknown) => { validate(): void };

async function loadModel(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  try {
    const module = (await import(modelSpecifier(apiVersion, kind))) as Record<string, unknown>;
    return module[kind] as ModelClass | undefined;
  } catch {
    return undefined;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * What is wrong with the object by its schema: [] when it validates. A kind that is neither built in
 * nor defined by one of `crds` is a problem too: every manifest must have a schema to be checked against.
 */
export async function schemaProblems(manifest: Manifest, crds: CrdSchemas): Promise<string[]> {
  const { apiVersion, kind } = manifest.object;
  const crd = crds.get(`${apiVersion}/${kind}`);
  try {
    if (crd !== undefined) {
      runValidateFunc(crd, manifest.object);
      return [];
    }
    const Model = await loadModel(apiVersion, kind);
    if (Model === undefined) return [`no schema for ${apiVersion} ${kind} (not built in, no CRD given)`];
    new Model(manifest.object).validate();
    return [];
  } catch (err) {
    return [messageOf(err)];
  }
}
