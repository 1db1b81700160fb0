// The flag tables of docs/configuration.md, rendered from the flag definitions themselves
// (KUBELET_PLUGIN_FLAGS, CONTROLLER_FLAGS, INSTALL_CNI_FLAGS, EXPLAIN_FLAGS): one table per subcommand
// between `<!-- BEGIN GENERATED: flags <command> -->` and `<!-- END GENERATED -->`. config-doc.test.ts
// fails when a table in the file differs from its rendering; this file run directly rewrites them:
//
//   node test/deployments/image/config-doc.ts --write
//
// Public API: `FLAG_COMMANDS`, `renderFlagTable`, `generatedBlock`, `replaceGeneratedBlocks`.
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { INSTALL_CNI_FLAGS } from "../../../src/cni/install/flags.ts";
import { envNamesOf } from "../../../src/common/config.ts";
import type { FlagSpecs } from "../../../src/common/config.ts";
import { CONTROLLER_FLAGS } from "../../../src/controller/main.ts";
import { EXPLAIN_FLAGS } from "../../../src/explain/main.ts";
import { KUBELET_PLUGIN_FLAGS } from "../../../src/kubelet-plugin/main.ts";

export const FLAG_COMMANDS: Readonly<Record<string, FlagSpecs>> = {
  "kubelet-plugin": KUBELET_PLUGIN_FLAGS,
  controller: CONTROLLER_FLAGS,
  "install-cni": INSTALL_CNI_FLAGS,
  explain: EXPLAIN_FLAGS,
};

const DOC = fileURLToPath(new URL("../../../docs/configuration.md", import.meta.url));

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** The markdown table of one command's flags, in definition order. */
export function renderFlagTable(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([flag, spec]) => {
    const value = spec.boolean === true ? "[=bool]" : ` <${spec.valueName ?? "value"}>`;
    const env = envNamesOf(flag, spec)
      .map((e) => `\`${e}\``)
      .join(", ");
    const unset = spec.schema.safeParse(undefined).success ? "unset" : "required";
    const shown = spec.default === undefined ? unset : `\`${spec.default}\``;
    return `| \`--${flag}${value}\` | ${env} | ${shown} | ${cell(spec.description)} |`;
  });
  return ["| flag | environment | default | meaning |", "|---|---|---|---|", ...rows].join("\n");
}

const BEGIN = (command: string) => `<!-- BEGIN GENERATED: flags ${command} -->`;
const END = "<!-- END GENERATED -->";

/** The text between a command's markers, or undefined when the file has none. */
export function generatedBlock(doc: string, command: string): string | undefined {
  const start = doc.indexOf(BEGIN(command));
  if (start < 0) return undefined;
  const from = start + BEGIN(command).length;
  const end = doc.indexOf(END, from);
  return end < 0 ? undefined : doc.slice(from, end).trim();
}

/** `doc` with every command's block replaced by its rendering (blocks without markers are left out). */
export function replaceGeneratedBlocks(doc: string): string {
  let out = doc;
  for (const [command, specs] of Object.entries(FLAG_COMMANDS)) {
    const old = generatedBlock(out, command);
    if (old === undefined) continue;
    const start = out.indexOf(BEGIN(command)) + BEGIN(command).length;
    const end = out.indexOf(END, start);
    out = `${out.slice(0, start)}\n${renderFlagTable(specs)}\n${out.slice(end)}`;
  }
  return out;
}

async function main(): Promise<void> {
  if (!process.argv.includes("--write")) {
    process.stdout.write(
      Object.entries(FLAG_COMMANDS)
        .map(([c, s]) => `${BEGIN(c)}\n${renderFlagTable(s)}\n${END}\n`)
        .join("\n"),
    );
    return;
  }
  const doc = await readFile(DOC, "utf8");
  await writeFile(DOC, replaceGeneratedBlocks(doc));
  process.stdout.write(`rewrote the flag tables of ${DOC}\n`);
}

if (import.meta.main) await main();
