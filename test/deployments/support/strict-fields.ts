// Unknown fields in built-in objects: `kubectl apply` asks for strict field validation, so the API server
// refuses a field its schema does not have (a typo such as `mountPropogation` included), while the JSON
// schemas kubernetes-models validates with let unknown fields pass. The same library's TypeScript types
// know every field, so each object is type-checked as an object literal of its kind's interface
// (`IDaemonSet`, ...) with the TypeScript compiler: an excess property, a wrong type or a missing
// required field is a diagnostic, reported against the object it is in. Objects of custom resources are
// left to their CRD schemas (schemas.ts).
//
// Public API: `strictFieldProblems`.
import ts from "typescript";
import { objectName, repoPath } from "./manifests.ts";
import type { Manifest } from "./manifests.ts";
import { modelSpecifier } from "./schemas.ts";

const VIRTUAL_FILE = repoPath("test/deployments/support/__manifests__.ts");

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
};

interface Declared {
  manifest: Manifest;
  start: number;
  end: number;
}

function sourceOf(manifests: readonly Manifest[]): { text: string; declared: Declared[] } {
  const imports: string[] = [];
  const bodies: string[] = [];
  const declared: Declared[] = [];
  manifests.forEach((manifest, i) => {
    const { apiVersion, kind } = manifest.object;
    imports.push(`import type { I${kind} as T${i} } from "${modelSpecifier(apiVersion, kind)}";`);
    bodies.push(`export const o${i}: T${i} = ${JSON.stringify(manifest.object, null, 1)};`);
  });
  let text = `${imports.join("\n")}\n`;
  manifests.forEach((manifest, i) => {
    const start = text.length;
    text += `${bodies[i]}\n`;
    declared.push({ manifest, start, end: text.length });
  });
  return { text, declared };
}

// The library's declaration files, parsed once per test file: each check builds a new program around
// its own virtual file and reuses the rest (`oldProgram`).
const parsedFiles = new Map<string, ts.SourceFile | undefined>();
let previous: ts.Program | undefined;

function compilerHost(virtual: ts.SourceFile): ts.CompilerHost {
  const host = ts.createCompilerHost(OPTIONS);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, ...rest) => {
    if (name === VIRTUAL_FILE) return virtual;
    if (!parsedFiles.has(name)) parsedFiles.set(name, getSourceFile(name, ...rest));
    return parsedFiles.get(name);
  };
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === VIRTUAL_FILE || fileExists(name);
  return host;
}

/** "Kind ns/name (source): message" per diagnostic; [] when every object type-checks. */
export function strictFieldProblems(manifests: readonly Manifest[]): string[] {
  if (manifests.length === 0) return [];
  const { text, declared } = sourceOf(manifests);
  const virtual = ts.createSourceFile(VIRTUAL_FILE, text, ts.ScriptTarget.ES2022, true);
  const program = ts.createProgram({
    rootNames: [VIRTUAL_FILE],
    options: OPTIONS,
    host: compilerHost(virtual),
    ...(previous === undefined ? {} : { oldProgram: previous }),
  });
  previous = program;
  const diagnostics = [
    ...program.getSyntacticDiagnostics(virtual),
    ...program.getSemanticDiagnostics(virtual),
  ];
  return diagnostics.map((d) => {
    const at = d.start ?? 0;
    const where = declared.find((x) => at >= x.start && at < x.end);
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (where === undefined) return `(imports) ${message}`;
    const path = pathAt(virtual, at, where.start);
    return `${objectName(where.manifest)} (${where.manifest.source}) at ${path}: ${message}`;
  });
}

/** The property path of the position, e.g. "spec.template.spec.containers[0].ports[0]". */
function pathAt(file: ts.SourceFile, position: number, declarationStart: number): string {
  const parts: string[] = [];
  let node = findNode(file, position);
  while (node !== undefined && node.pos >= declarationStart) {
    const parent: ts.Node | undefined = node.parent;
    if (parent !== undefined && ts.isPropertyAssignment(parent) && parent.initializer === node) {
      parts.unshift(parent.name.getText(file).replace(/^"|"$/g, ""));
    } else if (parent !== undefined && ts.isArrayLiteralExpression(parent)) {
      const index = parent.elements.indexOf(node as ts.Expression);
      if (index >= 0) parts.unshift(`[${index}]`);
    }
    node = parent;
  }
  return parts.join(".").replace(/\.\[/g, "[") || "(object)";
}

function findNode(file: ts.SourceFile, position: number): ts.Node | undefined {
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (position >= node.getStart(file) && position < node.getEnd()) {
      found = node;
      ts.forEachChild(node, visit);
    }
  };
  visit(file);
  return found;
}
