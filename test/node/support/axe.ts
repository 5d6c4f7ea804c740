/**
 * axe-core in a playwright page: WCAG 2.1 A/AA plus axe's best practices, with
 * the violations as readable lines (rule, impact, element, what to fix), so a
 * failing assertion explains itself.
 *
 * @example expect(await axeViolations(page)).toEqual([])
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

export const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

type AxeNode = { target: unknown[]; failureSummary?: string };
type AxeViolation = { id: string; impact: string | null; help: string; nodes: AxeNode[] };

/**
 * Runs axe over the whole page, open shadow roots included. The source is evaluated
 * through the DevTools protocol rather than added as a `<script>`, so a page's
 * Content-Security-Policy (the demo's allows no inline script) stays in force.
 */
export async function axeViolations(page: Page): Promise<string[]> {
  const loaded = await page.evaluate(() => "axe" in globalThis);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async (tags) => {
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<unknown> } })
      .axe;
    const results = (await axe.run(document, { runOnly: { type: "tag", values: tags } })) as {
      violations: AxeViolation[];
    };
    return results.violations;
  }, AXE_TAGS);
  return violations.flatMap((violation) =>
    violation.nodes.map(
      (node) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${JSON.stringify(node.target)}: ${
          node.failureSummary?.replaceAll("\n", " ") ?? ""
        }`,
    ),
  );
}
