import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { FLAGS, type Flag } from '../../actors/contracts/flags.ts';
import { subjects } from '../../actors/contracts/subjects.ts';
import type { Bit, OutputPin, Pins } from './pins.ts';

/** Which output lines light for each flag; a flag not listed turns every lamp off. */
export type FlagLampsConfig = Partial<Record<Flag, number[]>>;

/**
 * Flag lamps that follow the session as the engine records it: `timing.<track>.<session>.flag` (officials' flags,
 * the feed's) and `.session` (start → green, finish → checkered), core NATS subscriptions an edge device may hold
 * (engine/servers/nats-permissions.ts). The lamps show the latest flag; a lamp line listed under several flags is on
 * for each of them. What is missed while NATS is down is not replayed: the lamps show the next flag that comes.
 */
export function followFlags(
  nc: NatsConnection,
  pins: Pins,
  opts: { track: string; session: string; lamps: FlagLampsConfig },
  log: (line: string) => void,
): { flag(): Flag | undefined; stop(): void } {
  const lines = [...new Set(Object.values(opts.lamps).flat())];
  const outputs = new Map<number, OutputPin>(lines.map((l) => [l, pins.output(l)]));
  let current: Flag | undefined;
  const show = (flag: Flag) => {
    current = flag;
    const lit = opts.lamps[flag] ?? [];
    for (const [line, pin] of outputs) pin.write((lit.includes(line) ? 1 : 0) as Bit);
    log(`flag lamps: ${flag}`);
  };
  const follow = (subject: string, toFlag: (event: Record<string, unknown>) => Flag | undefined): Subscription =>
    nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return log(`flag lamps: ${subject}: ${err.message}`);
        try {
          const flag = toFlag(msg.json());
          if (flag) show(flag);
        } catch (e) {
          log(`flag lamps: undecodable message on ${subject}: ${(e as Error).message}`);
        }
      },
    });
  const subs = [
    follow(subjects.timing(opts.track, opts.session, 'flag'), (e) => ((FLAGS as readonly unknown[]).includes(e.flag) ? (e.flag as Flag) : undefined)),
    follow(subjects.timing(opts.track, opts.session, 'session'), (e) => (e.verb === 'start' ? 'green' : e.verb === 'finish' ? 'checkered' : undefined)),
  ];
  return {
    flag: () => current,
    stop() {
      for (const s of subs) s.unsubscribe();
      for (const pin of outputs.values()) pin.write(0);
    },
  };
}
