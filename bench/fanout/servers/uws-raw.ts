import { diffView } from '../../../actors/contracts/view-diff.ts';
import { requireNativeUws } from '../../../gateway/uws.ts';
import { announce, runSource } from '../control.ts';
import { diffFrame, TOPIC } from '../payload.ts';

/**
 * Peer (d): the ceiling of this machine. Raw uWebSockets.js (the same native build as the gateway) publishing
 * pre-encoded MessagePack bytes to one topic: no view, no NATS, no protocol. Natural runs publish one diff per
 * passing.
 */
const uWS = requireNativeUws();
const app = uWS.App();
let seq = 0;
let refused = 0;
app.ws('/ws', {
  compression: uWS.DISABLED,
  maxBackpressure: 256 * 1024,
  closeOnBackpressureLimit: 0,
  idleTimeout: 120,
  open: (ws) => {
    ws.subscribe(TOPIC);
  },
});
const publish = (bytes: Uint8Array) => {
  // publish() is false when the message was not sent to every subscriber (some were over maxBackpressure).
  if (!app.publish(TOPIC, bytes, true)) refused += 1;
};
let listenSocket: unknown;
app.listen('127.0.0.1', 0, (socket) => {
  if (!socket) process.exit(2);
  listenSocket = socket;
  announce(uWS.us_socket_local_port(socket as never));
});
runSource({
  transport: (diff) => publish(diffFrame(++seq, diff)),
  passing: (prev, next) => {
    const diff = diffView(prev, next);
    if (diff) publish(diffFrame(++seq, diff));
  },
  stats: () => ({ publishNotAll: refused }),
  stop: () => {
    if (listenSocket) uWS.us_listen_socket_close(listenSocket as never);
  },
});
