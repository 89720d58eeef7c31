import { readFileSync } from 'node:fs';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import type { CourseMark } from '../../actors/contracts/declaration.ts';
import type { SessionView } from '../../actors/contracts/view.ts';
import { waitFor } from '../../engine/testing/wait.ts';
import { startFakeEngine, type FakeEngine } from './fake-engine.ts';

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

/** The Elbe course of edge/gps/fixtures/marks.txt (Hamburg; the shared GPX tracks sail it): marks m1…m5. */
export const ELBE_MARKS: CourseMark[] = readFileSync(new URL('../../edge/gps/fixtures/marks.txt', import.meta.url), 'utf8').trim().split('\n')
  .map((line, i) => {
    const [lat, lon] = line.split(',').map(Number) as [number, number];
    return { id: `m${i + 1}`, name: `Mark ${i + 1}`, lat, lon };
  });

/**
 * A live session for map tests: a fake engine (the `engine` user's connection) serving `view` and announcing it in its
 * health once a second, as an engine does, until teardown; resolves once the gateway at `gatewayUrl` lists it live
 * (polled gently: the REST rate limit refuses a tight loop).
 */
export async function startLiveSession(t: Test, engineNc: NatsConnection, gatewayUrl: string, view: SessionView, node?: string): Promise<FakeEngine> {
  const engine = await startFakeEngine(engineNc, { view, ...(node && { node }) });
  t.teardown(() => engine.stop());
  await engine.health();
  const heartbeat = setInterval(() => void engine.health(), 1000);
  t.teardown(() => clearInterval(heartbeat));
  await waitFor(`${view.track}/${view.session} to be live`, async () => {
    const { sessions } = (await (await fetch(`${gatewayUrl}/api/sessions`)).json()) as { sessions?: { session: string }[] };
    return sessions?.some((s) => s.session === view.session);
  });
  return engine;
}
