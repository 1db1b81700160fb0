// The Dockerfile as data, and what the project expects of it. No Docker daemon runs here, so the test
// reads the file the way BuildKit does for what it checks: instructions (comments dropped, `\`
// continuations joined), global ARGs substituted into FROM, stages with their `AS` names, exec-form
// ENTRYPOINT/CMD as JSON. `dockerfileProblems` compares a parsed file with the expectations and lists
// every difference; the test runs it on the real file (no problems) and on broken variants (each the
// problem it plants). Pure.
export interface Instruction {
  keyword: string;
  /** The text after the keyword, continuations joined. */
  args: string;
  line: number;
}

export interface Stage {
  name: string | undefined;
  /** FROM's image with the global ARGs substituted. */
  from: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  /** Global ARGs (before the first FROM) with their defaults. */
  args: Record<string, string>;
  stages: Stage[];
}

/** Logical lines: comments and blank lines dropped, `\`-continued lines joined (comment lines inside skipped). */
function logicalLines(text: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let current: { text: string; line: number } | undefined;
  text.split("\n").forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith("#") || (trimmed === "" && current === undefined)) return;
    const continued = trimmed.endsWith("\\");
    const part = continued ? trimmed.slice(0, -1).trim() : trimmed;
    if (current === undefined) current = { text: part, line: index + 1 };
    else current.text = `${current.text} ${part}`.trim();
    if (!continued) {
      out.push(current);
      current = undefined;
    }
  });
  if (current !== undefined) out.push(current);
  return out;
}

/** `${NAME}` and `$NAME` replaced from `args` (unknown names become ""). */
export function substituteArgs(text: string, args: Readonly<Record<string, string>>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a?: string, b?: string) => {
      return args[a ?? b ?? ""] ?? "";
    },
  );
}

function parseArg(args: string): [string, string] {
  const eq = args.indexOf("=");
  return eq < 0 ? [args.trim(), ""] : [args.slice(0, eq).trim(), args.slice(eq + 1).trim()];
}

export function parseDockerfile(text: string): Dockerfile {
  const globals: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const { text: line, line: number } of logicalLines(text)) {
    const match = /^(\S+)\s*(.*)$/.exec(line);
    const keyword = (match?.[1] ?? "").toUpperCase();
    const args = match?.[2] ?? "";
    if (keyword === "FROM") {
      const [image = "", as, name] = args.split(/\s+/);
      const stageName = as?.toUpperCase() === "AS" ? name : undefined;
      stages.push({ name: stageName, from: substituteArgs(image, globals), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (stage === undefined) {
      if (keyword === "ARG") {
        const [key, value] = parseArg(args);
        globals[key] = substituteArgs(value, globals);
      }
      continue;
    }
    stage.instructions.push({ keyword, args, line: number });
  }
  return { args: globals, stages };
}

/** An exec-form (JSON array) ENTRYPOINT/CMD, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  try {
    const value: unknown = JSON.parse(args);
    return Array.isArray(value) && value.every((v) => typeof v === "string") ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The last instruction of a kind in a stage (the one that counts for USER, ENTRYPOINT, CMD). */
export function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

export interface DockerfileExpectations {
  nodeVersion: string;
  /** The image's package version (a label). */
  version: string;
  buildImage: string;
  runtimeImage: RegExp;
  user: string;
  entrypoint: readonly string[];
  /** The command in the build stage that lays out /rootfs. */
  rootfsCommand: string;
  /** The only COPY of the runtime stage. */
  runtimeCopy: string;
}

function stageProblems(build: Stage, expect: DockerfileExpectations): string[] {
  const problems: string[] = [];
  if (build.from !== expect.buildImage) {
    problems.push(`build stage: FROM ${build.from}, expected ${expect.buildImage}`);
  }
  const runs = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
  if (!runs.some((r) => r.includes("npm ci"))) problems.push("build stage: no `npm ci`");
  if (!runs.some((r) => r.includes(expect.rootfsCommand))) {
    problems.push(`build stage: no RUN of \`${expect.rootfsCommand}\``);
  }
  return problems;
}

function runtimeProblems(runtime: Stage, expect: DockerfileExpectations): string[] {
  const problems: string[] = [];
  if (!expect.runtimeImage.test(runtime.from)) {
    problems.push(`runtime stage: FROM ${runtime.from}, expected ${String(expect.runtimeImage)}`);
  }
  const user = lastOf(runtime, "USER")?.args.trim();
  if (user !== expect.user)
    problems.push(`runtime stage: USER ${user ?? "(unset)"}, expected ${expect.user}`);
  const entry = lastOf(runtime, "ENTRYPOINT");
  const form = entry === undefined ? undefined : execForm(entry.args);
  if (JSON.stringify(form) !== JSON.stringify(expect.entrypoint)) {
    problems.push(
      `runtime stage: ENTRYPOINT ${entry?.args ?? "(unset)"}, expected ${JSON.stringify(expect.entrypoint)}`,
    );
  }
  const copies = runtime.instructions.filter((i) => i.keyword === "COPY" || i.keyword === "ADD");
  if (copies.length !== 1 || copies[0]?.args !== expect.runtimeCopy) {
    problems.push(
      `runtime stage: copies ${JSON.stringify(copies.map((c) => c.args))}, expected only ${expect.runtimeCopy}`,
    );
  }
  if (runtime.instructions.some((i) => i.keyword === "RUN")) {
    problems.push("runtime stage: RUN (a distroless base has no shell)");
  }
  const label = runtime.instructions.find((i) => i.keyword === "LABEL" && i.args.includes("image.version"));
  if (label?.args.includes(`org.opencontainers.image.version="${expect.version}"`) !== true) {
    problems.push(`runtime stage: no org.opencontainers.image.version="${expect.version}" label`);
  }
  return problems;
}

/** Every way `file` differs from `expect`; [] when it matches. */
export function dockerfileProblems(file: Dockerfile, expect: DockerfileExpectations): string[] {
  const names = file.stages.map((s) => s.name ?? "(unnamed)");
  if (names.join(",") !== "build,runtime") {
    return [`stages ${names.join(", ")}, expected build, runtime`];
  }
  const [build, runtime] = file.stages as [Stage, Stage];
  const problems = [...stageProblems(build, expect), ...runtimeProblems(runtime, expect)];
  if (file.args.NODE_VERSION !== expect.nodeVersion) {
    problems.push(
      `ARG NODE_VERSION=${file.args.NODE_VERSION ?? "(unset)"}, expected ${expect.nodeVersion} (.nvmrc)`,
    );
  }
  return problems;
}

/** The sources of a COPY without --from (the build context paths it reads). */
export function copySources(instruction: Instruction): string[] {
  const words = instruction.args.split(/\s+/).filter((w) => w !== "" && !w.startsWith("--"));
  return words.slice(0, -1);
}
