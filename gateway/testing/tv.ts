import type { Page } from 'playwright-core';

/** The TV screen as rendered: scrolling, each row's box and its big cells' font size, the flag band. */
export const measureTv = (page: Page) => page.evaluate(() => {
  const root = document.documentElement;
  const flag = document.getElementById('flag') as HTMLElement;
  const rows = Array.from(document.querySelectorAll<HTMLTableRowElement>('#board tbody tr'), (tr) => {
    const box = tr.getBoundingClientRect();
    const big = ['pos', 'number', 'laps'].map((key) => {
      const cell = tr.querySelector<HTMLElement>(`.${key}`) as HTMLElement;
      return { key, fontPx: parseFloat(getComputedStyle(cell).fontSize), clipped: cell.scrollWidth > cell.clientWidth, text: cell.textContent };
    });
    return { car: tr.dataset.car, left: Math.round(box.left), right: box.right, top: box.top, bottom: box.bottom, big };
  });
  return {
    width: innerWidth, height: innerHeight, scrollWidth: root.scrollWidth, scrollHeight: root.scrollHeight, rows,
    flag: { width: flag.getBoundingClientRect().width, text: flag.textContent },
  };
});
