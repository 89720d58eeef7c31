import type { TrackedRider } from '../../client/timing-client.ts';
import type { CourseLine, EventInfo } from './course.ts';
import { boxHolds, centreOf, createProjection, fitBox, type Box, type LatLon, type Point } from './projection.ts';

/** A rider not heard from for this long is greyed: its phone lost signal, or it stopped. */
export const STALE_MS = 30_000;

/** Class colours, in the order the event declares its classes (the number label says who; colour is a hint). */
const CLASS_COLOURS = ['#58a6ff', '#f0883e', '#7ee787', '#d2a8ff', '#ff7b72', '#e3b341', '#39c5cf', '#f778ba'];

/**
 * The map's look, shared by the board's panel and the map page (added to the page once). Sizes in the map's own
 * units are set by the code (a hundredth of the view); colours and motion here.
 */
const MAP_CSS = `
svg.course-map { display: block; width: 100%; height: 100%; background: #0d1b24; }
.course-map text { fill: #eee; stroke: #0d1b24; paint-order: stroke; font-family: system-ui, sans-serif; }
.course-map .start-finish .base { stroke: #fff; }
.course-map .start-finish .stroke { stroke: #111; }
.course-map .checkpoint .stroke { stroke: #e3b341; }
.course-map .mark circle { fill: #0d1b24; stroke: #ffd33d; }
.course-map .trail { fill: none; opacity: .55; stroke-linejoin: round; stroke-linecap: round; }
.course-map .rider text { font-weight: 700; }
.course-map .rider.placed { transition: transform 1s linear; }
.course-map .rider.stale circle, .course-map .trail.stale { fill: #777; stroke: #777; }
.course-map .rider.stale circle { stroke: none; }
.course-map .rider.stale text { fill: #aaa; }
@media (prefers-reduced-motion: reduce) { .course-map .rider.placed { transition: none; } }
`;

function addStyles() {
  if (document.getElementById('course-map-css')) return;
  const style = document.createElement('style');
  style.id = 'course-map-css';
  style.textContent = MAP_CSS;
  document.head.appendChild(style);
}

const SVG = 'http://www.w3.org/2000/svg';
const el = <K extends keyof SVGElementTagNameMap>(name: K, attrs: Record<string, string | number> = {}, parent?: Element): SVGElementTagNameMap[K] => {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
};
const round = (n: number) => Math.round(n * 100) / 100;

interface RiderDot {
  g: SVGGElement;
  title: SVGTitleElement;
  circle: SVGCircleElement;
  label: SVGTextElement;
  trail: SVGPolylineElement;
}

export interface CourseMap {
  /** The event: its lines and marks are drawn, its entries name the riders and its classes colour them. */
  setEvent(event: EventInfo): void;
  /** Every rider of the session (the client library's positions): dots glide to their new places. */
  update(riders: ReadonlyMap<string, TrackedRider>): void;
  /** Re-checks who is stale (call it every second or so). */
  tick(): void;
}

/**
 * The live map in an `<svg>` that holds a `<title>` and a `<desc>` (what assistive technology reads; the desc is kept
 * current: lines, marks, riders and who is stale). Hand-drawn, no tiles: the course's virtual lines (start/finish
 * chequered, others dashed) and marks with their labels, the riders' trails, and the riders as dots labelled with
 * their numbers, coloured by class, greyed after STALE_MS without a fix. The view fits the course and every rider
 * and trail, and only grows (no jumping about); the projection is centred on the course (or on the first riders).
 * A dot's `data-x`/`data-y` are its place in the map's metres (projection.ts), for tests and the curious.
 */
export function createCourseMap(svg: SVGSVGElement, opts: { now?: () => number } = {}): CourseMap {
  const now = opts.now ?? Date.now;
  addStyles();
  svg.classList.add('course-map');
  const desc = svg.querySelector('desc');
  const courseLayer = el('g', { class: 'course' }, svg);
  const trailLayer = el('g', { class: 'trails' }, svg);
  const riderLayer = el('g', { class: 'riders' }, svg);
  let event: EventInfo | undefined;
  let riders: ReadonlyMap<string, TrackedRider> = new Map();
  let project: ((p: LatLon) => Point) | undefined;
  let box: Box | undefined;
  const dots = new Map<string, RiderDot>();

  const lines = (): CourseLine[] => event?.timingLines ?? [];
  const coursePoints = (): LatLon[] => [
    ...lines().flatMap((l) => l.points.map(([lat, lon]) => ({ lat, lon }))),
    ...(event?.marks ?? []),
  ];
  const riderPoints = (): LatLon[] => [...riders.values()].flatMap((r) => [r, ...r.trail.map(([, lat, lon]) => ({ lat, lon }))]);
  const entry = (number: string) => event?.entries.find((e) => e.number === number);
  const colour = (number: string) => {
    const i = event?.classes.findIndex((c) => c.id === entry(number)?.class) ?? -1;
    return CLASS_COLOURS[i >= 0 ? i % CLASS_COLOURS.length : 0]!;
  };
  const silentMs = (r: TrackedRider) => now() - r.heardAtMs;
  const riderName = (r: TrackedRider) => {
    const name = entry(r.number)?.name;
    const silent = silentMs(r);
    return `${r.number}${name ? ` ${name}` : ''}${silent > STALE_MS ? ` (no fix for ${Math.round(silent / 1000)} s)` : ''}`;
  };

  /** Centres the projection (once: on the course, else on the first riders) and grows the view to hold everything. */
  const fit = (): boolean => {
    if (!project) {
      const centre = centreOf(coursePoints()) ?? centreOf(riderPoints());
      if (!centre) return false;
      project = createProjection(centre);
    }
    const points = [...coursePoints(), ...riderPoints()].map(project);
    if (box && boxHolds(box, points)) return true;
    const corners = box ? [{ x: box.x, y: box.y }, { x: box.x + box.width, y: box.y + box.height }] : [];
    box = fitBox([...points, ...corners], { padding: 0.06, minSizeM: 200 });
    box.width += 12 * unit(); // room for the labels right of the easternmost marks and riders (up to 12 units long)
    svg.setAttribute('viewBox', [box.x, box.y, box.width, box.height].map(round).join(' '));
    drawCourse(); // sizes follow the view
    return true;
  };

  /**
   * Sizes in the map's metres that look the same whatever the course's size: a hundredth of the view, and at least
   * 5 px on screen (a mark's name is then 12 px, a rider's number 16 px, on a phone too).
   */
  const unit = () => {
    if (!box) return 1;
    const metresPerPx = Math.max(box.width / (svg.clientWidth || 1), box.height / (svg.clientHeight || 1));
    return Math.max(Math.max(box.width, box.height) / 100, metresPerPx * 5);
  };

  const drawCourse = () => {
    courseLayer.replaceChildren();
    if (!project) return;
    const u = unit();
    for (const line of lines()) {
      const [a, b] = line.points.map(([lat, lon]) => project!({ lat, lon })) as [Point, Point];
      const sf = line.kind === 'start-finish';
      const g = el('g', { class: `timing-line ${sf ? 'start-finish' : 'checkpoint'}`, 'data-line': line.id }, courseLayer);
      const ends = { x1: round(a.x), y1: round(a.y), x2: round(b.x), y2: round(b.y) };
      const width = round(u * (sf ? 0.9 : 0.5));
      if (sf) el('line', { ...ends, class: 'base', 'stroke-width': width }, g); // chequered: white under black dashes
      el('line', { ...ends, class: 'stroke', 'stroke-width': width, 'stroke-dasharray': `${round(u)} ${round(u)}` }, g);
      // Labelled beyond its upper end, along the line's direction: off the water the riders cross.
      const [top, bottom] = a.y <= b.y ? [a, b] : [b, a];
      const length = Math.hypot(top.x - bottom.x, top.y - bottom.y) || 1;
      const beyond = { x: top.x + ((top.x - bottom.x) / length) * u * 3, y: top.y + ((top.y - bottom.y) / length) * u * 3 };
      const text = el('text', { x: round(beyond.x), y: round(beyond.y), 'text-anchor': 'middle', 'font-size': round(u * 2.4), 'stroke-width': round(u * 0.5) }, g);
      text.textContent = sf ? 'Start/Finish' : line.id;
    }
    for (const mark of event?.marks ?? []) {
      const p = project(mark);
      const g = el('g', { class: 'mark', 'data-mark': mark.id }, courseLayer);
      el('circle', { cx: round(p.x), cy: round(p.y), r: round(u * 0.9), 'stroke-width': round(u * 0.35) }, g);
      // Below right of the mark; riders' numbers go above right, so a rider rounding a mark does not hide its name.
      const text = el('text', { x: round(p.x + u * 1.4), y: round(p.y + u * 3), 'font-size': round(u * 2.4), 'stroke-width': round(u * 0.5) }, g);
      text.textContent = mark.name ?? mark.id;
    }
    for (const dot of dots.values()) sizeDot(dot);
  };

  const sizeDot = (dot: RiderDot) => {
    const u = unit();
    dot.circle.setAttribute('r', String(round(u * 1.5)));
    dot.trail.setAttribute('stroke-width', String(round(u * 0.4)));
    for (const [k, v] of [['x', u * 2], ['y', -u * 1.4], ['font-size', u * 3.2], ['stroke-width', u * 0.6]] as const) dot.label.setAttribute(k, String(round(v)));
  };

  const dotFor = (number: string): RiderDot => {
    let dot = dots.get(number);
    if (!dot) {
      const g = el('g', { class: 'rider', 'data-number': number }, riderLayer);
      const title = el('title', {}, g);
      const circle = el('circle', {}, g);
      const label = el('text', { class: 'label' }, g);
      label.textContent = number;
      dot = { g, title, circle, label, trail: el('polyline', { class: 'trail', 'data-number': number }, trailLayer) };
      sizeDot(dot);
      dots.set(number, dot);
      // Placed where it is first, then glides: the transition starts after the first frame is drawn.
      requestAnimationFrame(() => requestAnimationFrame(() => g.classList.add('placed')));
    }
    return dot;
  };

  const describe = () => {
    if (!desc) return;
    const course = [...lines().map((l) => (l.kind === 'start-finish' ? 'start/finish line' : `line ${l.id}`)),
      ...(event?.marks ?? []).map((m) => `mark ${m.name ?? m.id}`)];
    const text = `${course.length ? `Course: ${course.join(', ')}. ` : ''}${riders.size ? `Riders: ${[...riders.values()].map(riderName).join('; ')}.` : 'No rider has sent a position yet.'}`;
    if (desc.textContent !== text) desc.textContent = text;
  };

  const markStale = () => {
    for (const [number, r] of riders) {
      const dot = dots.get(number);
      if (!dot) continue;
      const stale = silentMs(r) > STALE_MS;
      dot.g.classList.toggle('stale', stale);
      dot.trail.classList.toggle('stale', stale);
      const title = riderName(r);
      if (dot.title.textContent !== title) dot.title.textContent = title;
    }
    describe();
  };

  const draw = () => {
    if (!fit() || !project) return;
    for (const [number, r] of riders) {
      const dot = dotFor(number);
      const p = project(r);
      dot.g.dataset.x = String(round(p.x));
      dot.g.dataset.y = String(round(p.y));
      dot.g.style.transform = `translate(${round(p.x)}px, ${round(p.y)}px)`;
      dot.circle.setAttribute('fill', colour(number));
      dot.trail.setAttribute('stroke', colour(number));
      dot.trail.setAttribute('points', [...r.trail.map(([, lat, lon]) => project!({ lat, lon })), p].map((q) => `${round(q.x)},${round(q.y)}`).join(' '));
    }
    for (const [number, dot] of dots) {
      if (riders.has(number)) continue;
      dot.g.remove();
      dot.trail.remove();
      dots.delete(number);
    }
    markStale();
  };

  // The screen size sets the unit: redraw the course and size the dots when it changes (a phone turned, a window resized).
  new ResizeObserver(() => {
    if (box) drawCourse();
  }).observe(svg);

  return {
    setEvent(next) {
      event = next;
      if (centreOf(coursePoints())) project = undefined; // centre on the course now that it is known
      box = undefined;
      draw();
      if (!project) describe(); // nothing to draw yet
    },
    update(next) {
      riders = next;
      draw();
    },
    tick: markStale,
  };
}
