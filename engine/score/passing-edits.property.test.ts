import t, { type Test } from 'tap';
import type { PassingEdit, SessionInput } from '../../actors/contracts/events.ts';
import type { SessionView } from '../../actors/contracts/view.ts';
import { createRandom } from '../../actors/random.ts';
import { createRmonMapping } from '../../actors/rmonitor/map.ts';
import { createSessionActor, type SessionActorOptions, type SessionRef } from '../../actors/session-actor.ts';
import { readCapture } from '../../edge/rmonitor/capture.ts';
import { simEventToJsonl } from '../../edge/jsonl/from-sim.ts';
import type { JsonlRecord } from '../../edge/jsonl/records.ts';
import { jsonlToSessionInputs } from '../../edge/jsonl/to-session-inputs.ts';
import { sessionTimeline } from '../../edge/sim/timeline.ts';
import { readDeclarationFile } from '../declarations/read.ts';
import { DEMO_EVENT_FILE } from '../demo.ts';

// Race control's passing edits (actors/scoring/passing-edit.ts), property-style: a session given several edits at
// different points shows, right after each and at the end, the view of the same session folded as if the corrected
// passings had been its input from the start (the control log aside: it lists the edits). Over a simulated race and
// a real capture, as `pitwall score` maps it.

interface Scenario {
  ref: SessionRef;
  options: SessionActorOptions;
  inputs: SessionInput[];
}

function simulatedRace(seed: number): Scenario {
  const demo = readDeclarationFile(DEMO_EVENT_FILE);
  const declaration = { ...demo, entries: demo.entries.slice(0, 12) };
  const session = declaration.sessions.find((s) => s.id === 'race-2')!;
  const timeline = sessionTimeline(declaration, session, { cars: 12, seed, openAtUs: 1_772_373_600_000_000 });
  const records: JsonlRecord[] = [{ type: 'declaration', declaration }, ...[...timeline].map((e) => simEventToJsonl(e, declaration, session.id))];
  return { ref: { track: declaration.track, event: declaration.event, session: session.id }, options: {}, inputs: jsonlToSessionInputs(records, session.id) };
}

async function capturedRace(file: string, session: string): Promise<Scenario> {
  const mapping = createRmonMapping({ event: 'capture' });
  const inputs: SessionInput[] = [];
  const take = (mapped: Iterable<{ session: string; input: SessionInput }>) => {
    for (const m of mapped) if (m.session === session) inputs.push(m.input);
  };
  for await (const entry of readCapture(file)) if (entry.record) take(mapping.push(entry.record));
  take(mapping.end());
  return { ref: { track: 'rmonitor', event: 'capture', session }, options: { mode: 'independent', autoCheckered: false }, inputs };
}

const isPassing = (i: SessionInput): i is Extract<SessionInput, { kind: 'passing' | 'crossing' }> => i.kind === 'passing' || i.kind === 'crossing';
const UNSCORED = new Set(['tick', 'note', 'agreement']);

/** The input list as if `edit` had been made before it came: the documented meaning of an edit. */
function corrected(inputs: SessionInput[], edit: PassingEdit): SessionInput[] {
  const named = (i: SessionInput) => isPassing(i) && i.car === edit.car && i.atUs === edit.passingAtUs;
  switch (edit.edit) {
    case 'remove':
      return inputs.filter((i) => !named(i));
    case 'move':
      return inputs.map((i) => (named(i) ? { ...i, car: edit.to! } : i));
    case 'add': {
      const at = inputs.findIndex((i) => !UNSCORED.has(i.kind) && i.atUs > edit.passingAtUs);
      const added: SessionInput = { kind: 'passing', atUs: edit.passingAtUs, car: edit.car, precisionUs: 0, reading: { device: 'added', boot: 'b', seq: edit.atUs } };
      return at < 0 ? [...inputs, added] : [...inputs.slice(0, at), added, ...inputs.slice(at)];
    }
  }
}

/** A random edit of what `inputs` hold so far: a passing removed or moved, or one added since the start. */
function randomEdit(inputs: SessionInput[], cars: string[], nowUs: number, startUs: number, rnd: () => number): PassingEdit {
  const passings = inputs.filter(isPassing).filter((p) => p.atUs > startUs);
  const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)]!;
  const r = rnd();
  if (r < 0.4 || passings.length === 0) {
    return { kind: 'passing-edit', atUs: nowUs, edit: 'add', car: pick(cars), passingAtUs: startUs + Math.floor(rnd() * (nowUs - startUs)) };
  }
  const p = pick(passings);
  if (r < 0.75) return { kind: 'passing-edit', atUs: nowUs, edit: 'remove', car: p.car, passingAtUs: p.atUs };
  return { kind: 'passing-edit', atUs: nowUs, edit: 'move', car: p.car, to: pick(cars.filter((c) => c !== p.car)), passingAtUs: p.atUs };
}

const withoutLog = (view: SessionView) => ({ ...view, controlLog: undefined });

function check(t: Test, name: string, s: Scenario, seed: number, editCount: number) {
  const rnd = createRandom(seed).next;
  const fold = (inputs: SessionInput[]) => {
    const a = createSessionActor(s.ref, { publishLap: () => undefined }, undefined, s.options);
    for (const input of inputs) a.send(input);
    return a.view();
  };
  const start = s.inputs.find((i) => i.kind === 'session' && i.verb === 'start')!;
  const first = s.inputs.indexOf(start) + 1;
  const points = new Set<number>();
  while (points.size < editCount) points.add(first + Math.floor(rnd() * (s.inputs.length - first)));
  const live = createSessionActor(s.ref, { publishLap: () => undefined }, undefined, s.options);
  let expected: SessionInput[] = [];
  let nowUs = 0;
  const edits: string[] = [];
  let changed = 0;
  for (const [index, input] of s.inputs.entries()) {
    live.send(input);
    expected.push(input);
    nowUs = Math.max(nowUs, input.atUs);
    if (!points.has(index)) continue;
    const cars = live.scoring().declared!.entries.map((e) => e.number);
    const edit = randomEdit(expected, cars, nowUs, start.atUs, rnd);
    const before = JSON.stringify(withoutLog(live.view()));
    live.send(edit);
    if (JSON.stringify(withoutLog(live.view())) !== before) changed++;
    expected = corrected(expected, edit);
    edits.push(`${edit.edit} ${edit.car}${edit.to ? `→${edit.to}` : ''} @${edit.passingAtUs - start.atUs}µs (input ${index})`);
    t.strictSame(withoutLog(live.view()), withoutLog(fold(expected)), `${name} seed ${seed}: after ${edits.join(', ')}`);
  }
  t.strictSame(withoutLog(live.view()), withoutLog(fold(expected)), `${name} seed ${seed}: at the end`);
  t.equal(live.rejected().badPassingEdit ?? 0, 0, `${name} seed ${seed}: every edit named a passing the session holds`);
  t.ok(changed > 0, `${name} seed ${seed}: ${changed} of ${editCount} edits changed the standings`);
}

t.test('a simulated race: 12 cars, 20 laps, a full-course yellow', async (t) => {
  for (let seed = 1; seed <= 6; seed++) check(t, 'sim', simulatedRace(seed), seed, 4);
});

t.test('a real capture: Sebring 2009 ALMS session 5 (24 cars, classes, pit lines, red flag)', async (t) => {
  const s = await capturedRace('edge/rmonitor/fixtures/bradfier/2009_Sebring_ALMS_Session_5.txt', 'run-33');
  t.ok(s.inputs.filter(isPassing).length > 400, 'the capture\'s crossings');
  for (let seed = 1; seed <= 6; seed++) check(t, 'capture', s, seed, 4);
});
