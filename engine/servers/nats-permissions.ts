import type { ServiceRole } from './nats-users.ts';

/**
 * What each NATS user may publish and subscribe to (DESIGN §4: the first token of a subject says who publishes).
 * Rendered into users.conf by nats-users.ts; tested in nats.test.ts with a refused publish per role.
 */
export interface Permissions {
  publish: string[];
  subscribe: string[];
  /** May answer requests (publish to the reply subject of a message it received). */
  allowResponses?: boolean;
}

/** The JetStream API calls needed to read one stream or KV bucket (info, get, consumers), not to change it. */
const readStreamApi = (stream: string) => [
  `$JS.API.STREAM.INFO.${stream}`,
  `$JS.API.STREAM.MSG.GET.${stream}`,
  `$JS.API.DIRECT.GET.${stream}`,
  `$JS.API.DIRECT.GET.${stream}.>`,
  `$JS.API.CONSUMER.CREATE.${stream}`,
  `$JS.API.CONSUMER.CREATE.${stream}.>`,
  `$JS.API.CONSUMER.INFO.${stream}.>`,
  `$JS.API.CONSUMER.DELETE.${stream}.>`,
  `$JS.API.CONSUMER.MSG.NEXT.${stream}.>`,
  `$JS.ACK.${stream}.>`,
];

export const SERVICE_PERMISSIONS: Record<ServiceRole, Permissions> = {
  engine: {
    publish: ['timing.>', 'view.>', 'engine.>', '$JS.API.>', '$JS.ACK.>', '$JS.FC.>', '$KV.events.>',
      '$KV.session-state.>', '$KV.session-owner.>', '_INBOX.>'],
    subscribe: ['edge.>', 'gps.>', 'timing.>', 'cmd.>', 'view.snapshot.>', 'engine.>', '$KV.>', '_INBOX.>'],
    // It answers race-control commands, snapshot and input requests on their `_INBOX.>` reply subjects (above). Not
    // `allow_responses`: nats-server 2.9 then remembers the reply subject of every message it delivers to the engine
    // (each JetStream message's ack subject among them) and scans all it remembers at each new one past 4,096 —
    // reading RACE went quadratic: a 24-hour race's takeover took over a minute of server CPU for 77k messages
    // (bench/system/actor-rebuild.ts).
  },
  gateway: {
    publish: ['cmd.>', 'view.snapshot.>', 'gps.>', '$KV.events.>', '_INBOX.>', '$JS.API.INFO', '$JS.API.STREAM.NAMES',
      '$JS.FC.>', ...['EDGE', 'RACE', 'KV_events', 'KV_session-state'].flatMap(readStreamApi),
      // Traccar device keys, one by one (a direct get names the key in its subject), and nothing else of KV identity.
      '$JS.API.DIRECT.GET.KV_identity.$KV.identity.traccar.>'],
    // gps.>: every gateway shows its spectators the fixes any gateway accepted (the live map).
    subscribe: ['view.>', 'timing.>', 'engine.*.health', 'gps.>', '_INBOX.>'],
  },
  identity: {
    publish: ['$KV.identity.>', '_INBOX.>', '$JS.API.INFO', '$JS.FC.>', ...readStreamApi('KV_identity')],
    subscribe: ['_INBOX.>'],
  },
  admin: { publish: ['>'], subscribe: ['>'] },
};

/** An edge device publishes only its own readings and may follow its track's flags and sessions. */
export function edgeDevicePermissions(track: string, device: string): Permissions {
  return {
    publish: [`edge.${track}.${device}.>`],
    subscribe: [`timing.${track}.*.flag`, `timing.${track}.*.session`, '_INBOX.>'],
  };
}

/** nats.conf syntax for a permissions map. */
export function renderPermissions(p: Permissions): string {
  const list = (subjects: string[]) => `[${subjects.map((s) => JSON.stringify(s)).join(', ')}]`;
  return `{publish: {allow: ${list(p.publish)}}, subscribe: {allow: ${list(p.subscribe)}}${p.allowResponses ? ', allow_responses: true' : ''}}`;
}
