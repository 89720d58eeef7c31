import net from 'node:net';
import { diffView } from '../../../actors/contracts/view-diff.ts';
import { runSource } from '../control.ts';
import { connectPacket, publishPacket } from '../mqtt.ts';
import { diffFrame, TOPIC } from '../payload.ts';

/**
 * Peer (c)'s publisher: the timing software of a slot-car lap counter, publishing each change as JSON to Mosquitto
 * (QoS 0, plain MQTT over TCP); spectators read it over MQTT-over-WebSockets. Transport runs publish the shared
 * MessagePack frame. BROKER_PORT names the broker's TCP listener.
 */
const socket = net.connect(Number(process.env.BROKER_PORT), '127.0.0.1');
socket.setNoDelay(true);
let seq = 0;
let behind = 0;
const publish = (payload: Uint8Array) => {
  if (!socket.write(publishPacket(TOPIC, payload))) behind += 1; // kernel buffer full: counted; Node queues it
};
socket.once('connect', () => {
  socket.write(connectPacket('bench-publisher'));
  process.send?.({ type: 'ready', port: 0 });
});
socket.on('error', (error) => {
  process.stderr.write(`mqtt publisher: ${error.message}\n`);
  process.exit(2);
});
socket.on('data', () => undefined); // CONNACK
runSource({
  transport: (diff) => publish(diffFrame(++seq, diff)),
  passing: (prev, next) => {
    const diff = diffView(prev, next);
    if (diff) publish(Buffer.from(JSON.stringify(diff)));
  },
  stats: () => ({ writeBehind: behind }),
  stop: () => {
    socket.destroy();
  },
});
