import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * How long JetStream's API takes to answer, once a second (a stream info request, ms), and how many bytes the stream
 * holds then: whether a stall comes with a slow API, or at a certain size of the stream (its file store's blocks).
 * A request still unanswered when the next is due leaves -1 for that second.
 */
export function startJsApiProbe(nc: NatsConnection, stream: string) {
  const series: number[] = [];
  const bytes: number[] = [];
  let busy = false;
  const timer = setInterval(() => {
    const i = series.length;
    series.push(-1);
    bytes.push(-1);
    if (busy) return; // the previous one is still out: this second shows -1
    busy = true;
    const t0 = performance.now();
    void jetstreamManager(nc).then((jsm) => jsm.streams.info(stream)).then((info) => { bytes[i] = info.state.bytes; }, () => undefined)
      .finally(() => {
        series[i] = Math.round(performance.now() - t0);
        busy = false;
      });
  }, 1000);
  return {
    stop(): { answerMs: number[]; bytes: number[] } {
      clearInterval(timer);
      return { answerMs: series, bytes };
    },
  };
}
