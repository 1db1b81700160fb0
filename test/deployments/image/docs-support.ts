// Small readers for docs.test.ts: the field names of the devices config and opaque claim config schemas
// (from the zod schemas themselves), relative links of a markdown page, and the anchors its headings
// get (GitHub's rule: lower case, punctuation dropped, spaces to hyphens, repeats numbered). Pure.
import { deviceConfigSchema } from "../../../src/api/device-config.ts";
import { appliedDeviceConfigSchema } from "../../../src/api/network-device-config.ts";

export function claimDeviceConfigKeys(): {
  resource: string[];
  selectors: string[];
  networkDeviceConfig: string[];
} {
  const resource = deviceConfigSchema.shape.resources.element.shape;
  return {
    resource: Object.keys(resource),
    selectors: Object.keys(resource.selectors.unwrap().shape),
    networkDeviceConfig: Object.keys(appliedDeviceConfigSchema.shape),
  };
}

/** Markdown outside fenced code blocks. */
function prose(markdown: string): string[] {
  let fenced = false;
  return markdown.split("\n").filter((line) => {
    if (line.trimStart().startsWith("```")) {
      fenced = !fenced;
      return false;
    }
    return !fenced;
  });
}

/** `[text](path#anchor)` links that are neither absolute URLs nor mail addresses. */
export function relativeLinks(markdown: string): { path: string; anchor?: string }[] {
  const links: { path: string; anchor?: string }[] = [];
  for (const line of prose(markdown)) {
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1] ?? "";
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;
      const [path = "", anchor] = target.split("#");
      links.push(anchor === undefined ? { path } : { path, anchor });
    }
  }
  return links;
}

export function slugOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

/** The anchors of a page's headings, numbered as GitHub numbers repeats. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of prose(markdown)) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = slugOf(heading);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}
