import type { TimingClientStatus } from '../client/timing-client.ts';

/**
 * The live connection in words, the same on every page that follows a session (board and TV, driver, race control):
 * `connecting…`, `live`, `reconnecting…`, `catching up…` (a snapshot after a gap), or the gateway's error message.
 */
const WORDS: Record<Exclude<TimingClientStatus['kind'], 'error'>, string> = {
  connecting: 'connecting…',
  open: 'live',
  closed: 'reconnecting…',
  resync: 'catching up…',
};

export const connectionText = (s: TimingClientStatus): string => (s.kind === 'error' ? s.message : WORDS[s.kind]);

/** Shows the status in `el`: its words, and its kind as `data-state` (for styles and tests). */
export function showConnection(el: HTMLElement, s: TimingClientStatus): void {
  const text = connectionText(s);
  if (el.textContent !== text) el.textContent = text;
  el.dataset.state = s.kind;
}
