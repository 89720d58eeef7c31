import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * How long JetStream's API takes to answer, once a second (a stream info request, ms): the riders' path waits on the
 * API when the gateway re-reads KV `events` (a consumer is created for each listing), so a slow API shows as a stall.
 * A request still unanswered when the next is due is counted at its final time, whenever it ends.
 */
export function startJsApiProbe(nc: NatsConnection, stream: string) {
  const series: number[] = [];
  let busy = false;
  const timer = setInterval(() => {
    const i = series.length;
    series.push(-1);
    if (busy) return; // the previous one is still out: this second shows -1
    busy = true;
    const t0 = performance.now();
    void jetstreamManager(nc).then((jsm) => jsm.streams.info(stream)).catch(() => undefined)
      .finally(() => {
        series[i] = Math.round(performance.now() - t0);
        busy = false;
      });
  }, 1000);
  return {
    stop(): number[] {
      clearInterval(timer);
      return series;
    },
  };
}
