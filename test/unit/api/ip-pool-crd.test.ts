// The CRD manifests in deployments/crds carry the same schema as the zod schemas the controller
// validates with: every field on either side exists on the other with the same type, and the same
// fields are required. A field added to one and not the other fails here.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { z } from "zod";
import { ipAllocationSpecSchema } from "../../../src/api/ip-address.ts";
import { ipPoolSpecSchema, ipPoolStatusSchema } from "../../../src/api/ip-pool.ts";

interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  anyOf?: Schema[];
}

function crdSchema(file: string): Schema {
  const path = fileURLToPath(new URL(`../../../deployments/crds/${file}`, import.meta.url));
  const crd = parse(readFileSync(path, "utf8")) as {
    spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
  };
  return crd.spec.versions.find((v) => v.name === "v1alpha1")!.schema.openAPIV3Schema;
}

function jsonSchema(schema: z.ZodType): Schema {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as Schema;
}

/** "path: problem" for every difference in fields, types and required lists. */
function differences(zod: Schema, crd: Schema, path: string): string[] {
  const out: string[] = [];
  if (zod.type !== crd.type) out.push(`${path}: zod ${zod.type} vs CRD ${crd.type}`);
  if (zod.type === "array") return [...out, ...differences(zod.items ?? {}, crd.items ?? {}, `${path}[]`)];
  if (zod.type !== "object") return out;
  const zodFields = Object.keys(zod.properties ?? {}).sort();
  const crdFields = Object.keys(crd.properties ?? {}).sort();
  for (const f of zodFields) if (!crdFields.includes(f)) out.push(`${path}.${f}: missing in the CRD`);
  for (const f of crdFields) if (!zodFields.includes(f)) out.push(`${path}.${f}: missing in the zod schema`);
  const required = (s: Schema) => [...(s.required ?? [])].sort().join(",");
  if (required(zod) !== required(crd))
    out.push(`${path}: required zod [${required(zod)}] vs CRD [${required(crd)}]`);
  for (const f of zodFields.filter((x) => crdFields.includes(x))) {
    out.push(...differences(zod.properties![f]!, crd.properties![f]!, `${path}.${f}`));
  }
  return out;
}

describe("CRD schemas match the zod schemas", () => {
  const cases = [
    { name: "IPPool spec", file: "ippools.netclaim.dev.yaml", field: "spec", zod: ipPoolSpecSchema },
    { name: "IPPool status", file: "ippools.netclaim.dev.yaml", field: "status", zod: ipPoolStatusSchema },
    {
      name: "IPAllocation spec",
      file: "ipallocations.netclaim.dev.yaml",
      field: "spec",
      zod: ipAllocationSpecSchema,
    },
  ];
  it.each(cases)("$name", ({ file, field, zod }) => {
    const crd = crdSchema(file).properties?.[field];
    expect(crd, `${file} has .${field}`).toBeDefined();
    expect(differences(jsonSchema(zod), crd!, field)).toEqual([]);
  });

  it("the comparison notices a drift", () => {
    const crd = crdSchema("ippools.netclaim.dev.yaml").properties!["spec"]!;
    const drifted = ipPoolSpecSchema.extend({ mtu: z.int().optional() });
    expect(differences(jsonSchema(drifted), crd, "spec")).toEqual(["spec.mtu: missing in the CRD"]);
  });
});
