import { lapMsgId, type LapEvent } from '../actors/contracts/events.ts';

/**
 * The laps a session host completes while it replays RACE (a restart or a takeover, before it has folded up to its
 * own owner marker). The previous owner wrote most of them already: each lap lands in RACE right after the input that
 * completed it, so the replay reads it there soon after re-deriving it. Writing them all again would cost a publish
 * and an ack each (70,000 for a 24-hour race), and past RACE's duplicate window (minutes) JetStream no longer drops
 * them, so every lap of the race would be appended a second time.
 *
 * So a replay holds each lap it derives (`held`), forgets it when RACE shows it written (`written`, by message id, the
 * same id JetStream dedupes on), and once caught up writes only what is left (`release`): the laps the previous
 * owner completed but never wrote (it died in between). After that, laps are written as they come.
 */
export interface ReplayLaps {
  /** A lap derived during the replay: keep it until RACE shows it or the replay ends. */
  held(lap: LapEvent): void;
  /** A lap message read from RACE during the replay (any owner's): it needs no writing again. */
  written(lap: Pick<LapEvent, 'track' | 'session' | 'car' | 'lap'>): void;
  /** The replay is over: the held laps RACE did not show, in the order they were derived. Empties the set. */
  release(): LapEvent[];
}

export function createReplayLaps(): ReplayLaps {
  // Insertion-ordered. A lap read before this replay derives it (a stale owner's write for an input the fence ignores)
  // is not remembered: a lap derived later with that id is written as before, and JetStream's window decides.
  const pending = new Map<string, LapEvent>();
  return {
    held: (lap) => void pending.set(lapMsgId(lap), lap),
    written: (lap) => void pending.delete(lapMsgId(lap)),
    release() {
      const left = [...pending.values()];
      pending.clear();
      return left;
    },
  };
}
