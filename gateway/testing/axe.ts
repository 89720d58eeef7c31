import { createRequire } from 'node:module';
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

/**
 * Runs axe-core (WCAG 2 A/AA and best practices) on the page as it is now and asserts that nothing serious or
 * critical is found; each finding is listed with its rule, help text and elements, so a failure says what to fix.
 */
export async function checkAccessibility(t: Test, page: Page, what: string): Promise<void> {
  await page.addScriptTag({ content: axeSource });
  const { violations, passes } = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: unknown[]; passes: unknown[] }> } }).axe;
    const result = await axe.run(document);
    return { violations: result.violations, passes: result.passes.length };
  })) as { violations: AxeViolation[]; passes: number };
  t.ok(passes > 10, `${what}: axe-core ran (${passes} rules passed)`);
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  const minor = violations.filter((v) => v.impact !== 'serious' && v.impact !== 'critical').map((v) => `${v.impact} ${v.id}`);
  if (minor.length) t.comment(`${what}: axe minor findings: ${minor.join(', ')}`);
  t.same(grave, [], `${what}: axe-core finds no serious or critical violation`);
}

/**
 * Presses Tab from the top of the page until focus comes back round, and returns the controls reached (by a
 * tag and id, href or text) together with every visible control the page has, for comparison.
 */
export async function tabThroughPage(page: Page, maxPresses = 60): Promise<{ reached: string[]; controls: string[] }> {
  const key = () => page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return '';
    const href = el.getAttribute('href');
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : href ? `[${href}]` : `:${(el.textContent ?? '').trim().slice(0, 40)}`}`;
  });
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached: string[] = [];
  for (let i = 0; i < maxPresses; i++) {
    await page.keyboard.press('Tab');
    const k = await key();
    if (k && reached.includes(k)) break;
    if (k) reached.push(k);
  }
  const controls = await page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('a[href], button, select, input, textarea, [tabindex]'))
      .filter((el) => el.getClientRects().length > 0 && !(el as HTMLButtonElement).disabled && el.tabIndex >= 0)
      .map((el) => {
        const href = el.getAttribute('href');
        return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : href ? `[${href}]` : `:${(el.textContent ?? '').trim().slice(0, 40)}`}`;
      }));
  return { reached, controls };
}
