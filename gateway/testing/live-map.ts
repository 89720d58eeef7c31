import type { Page } from 'playwright-core';

/** What the live map shows, read from the rendered SVG: lines, marks and riders with their screen centres (px). */
export interface MapReading {
  title: string;
  desc: string;
  lines: { id: string; kind: string; label: string }[];
  marks: { id: string; label: string; x: number; y: number }[];
  riders: { number: string; label: string; title: string; stale: boolean; fill: string; x: number; y: number; dataX: number; dataY: number; moving: boolean }[];
}

/**
 * Reads the map (the page's, or the board's panel) in one synchronous step. (No named functions inside: tsx adds
 * `__name` calls to them, which do not exist in the page.)
 */
export const readMap = (page: Page, svgSelector = 'svg#map') => page.evaluate((selector): MapReading => {
  const svg = document.querySelector(selector) as SVGSVGElement;
  return {
    title: svg.querySelector('title')?.textContent ?? '',
    desc: svg.querySelector('desc')?.textContent ?? '',
    lines: Array.from(svg.querySelectorAll<SVGGElement>('g.timing-line'), (g) => ({
      id: g.dataset.line ?? '', kind: g.classList.contains('start-finish') ? 'start-finish' : 'checkpoint', label: g.querySelector('text')?.textContent ?? '' })),
    marks: Array.from(svg.querySelectorAll<SVGGElement>('g.mark'), (g) => ({ id: g.dataset.mark ?? '', label: g.querySelector('text')?.textContent ?? '', ...((b: DOMRect) => ({ x: b.left + b.width / 2, y: b.top + b.height / 2 }))((g.querySelector('circle') as Element).getBoundingClientRect()) })),
    riders: Array.from(svg.querySelectorAll<SVGGElement>('g.rider'), (g) => ({
      number: g.dataset.number ?? '',
      label: g.querySelector('text')?.textContent ?? '',
      title: g.querySelector('title')?.textContent ?? '',
      stale: g.classList.contains('stale'),
      fill: getComputedStyle(g.querySelector('circle') as Element).fill,
      ...((b: DOMRect) => ({ x: b.left + b.width / 2, y: b.top + b.height / 2 }))((g.querySelector('circle') as Element).getBoundingClientRect()),
      dataX: Number(g.dataset.x),
      dataY: Number(g.dataset.y),
      moving: g.getAnimations().length > 0,
    })),
  };
}, svgSelector);

/** Waits until every rider dot of the map has stopped gliding (its CSS transition ended). */
export const mapAtRest = (page: Page, svgSelector = 'svg#map') =>
  page.waitForFunction((selector) => Array.from(document.querySelectorAll(`${selector} g.rider`)).every((g) => g.getAnimations().length === 0),
    svgSelector, { timeout: 10_000 });
