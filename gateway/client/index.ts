/**
 * The timing client library, served bundled as `/client.js` (browsers) and importable from Node.
 * Imports nothing Node-only: it runs in the browser as it is.
 */
export { createTimingClient, PositionRefusedError } from './timing-client.ts';
export type { TimingClient, TimingClientOptions, TimingClientStatus, TrackedRider, WebSocketConstructor, WebSocketLike } from './timing-client.ts';
export type { SessionView, StandingRow } from '../../actors/contracts/view.ts';
export { PROTOCOL_VERSION, type CommandReplyFrame, type RiderPosition, type TrailPoint } from '../protocol.ts';
