import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/** Page checks the pages' browser tests share: accessibility by axe-core, and reaching every control by keyboard. */

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe-core's serious and critical violations on the page as it is now, as `rule: selectors` lines (none is good). */
export async function seriousAxeViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document): Promise<{ violations: { id: string; impact?: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const { violations } = await axe.run(document);
    return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

const CONTROLS = 'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/** A name for each visible control of the page, in document order. */
export const visibleControls = (page: Page): Promise<string[]> => page.$$eval(CONTROLS, (els) => els
  .filter((el) => (el as HTMLElement).offsetParent !== null)
  .map((el) => `${el.tagName.toLowerCase()}#${el.id}|${el.textContent?.trim() ?? ''}|${el.getAttribute('href') ?? ''}`));

/**
 * Presses Tab from the top of the page (the top-left corner must not be a control) until focus comes back round (or after `limit` presses) and returns a name
 * for each element that took focus, in order, in the form of `visibleControls`.
 */
export async function tabThrough(page: Page, limit = 200): Promise<string[]> {
  // A click at the page's top corner puts the browser's focus starting point there (a blur alone keeps it where it was).
  await page.mouse.click(1, 1);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const reached: string[] = [];
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    const name = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return undefined;
      return `${el.tagName.toLowerCase()}#${el.id}|${el.textContent?.trim() ?? ''}|${el.getAttribute('href') ?? ''}`;
    });
    if (name === undefined || reached.includes(name)) break;
    reached.push(name);
  }
  return reached;
}
