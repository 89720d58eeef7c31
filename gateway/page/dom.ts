import type { SessionView } from '../../actors/contracts/view.ts';
import type { TimingClient } from '../client/timing-client.ts';

declare global {
  interface Window {
    /** Set by the live pages, for tests and the curious: the client, and the seq and view the page shows. */
    pitwall?: { client: TimingClient; seq(): number | undefined; view(): SessionView | undefined; classNames?(): Record<string, string> };
  }
}

/** The page's element with this id; a page without it is a bug in the page, so this throws. */
export const byId = <T extends Element = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page has no #${id}`);
  return el as unknown as T;
};
