/**
 * The gateway's own counters of the GPS path, read from its `/metrics` (Prometheus text) as a scraper would: fixes
 * stored per rider endpoint, fixes shown on maps, and input errors. Read at both ends of a window, they say how many
 * fixes the gateway accepted in it, whatever the load process believes it sent.
 */
export interface GpsCounters {
  storedWs: number;
  storedOsmand: number;
  shown: number;
  /** Every `pitwall_input_errors_total` sample, summed over kinds. */
  inputErrors: number;
}

const sample = (text: string, name: string, labels = '') => {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line[name.length] === '_') continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
};

export async function readGpsCounters(gatewayUrl: string): Promise<GpsCounters> {
  const text = await (await fetch(`${gatewayUrl}/metrics`)).text();
  return {
    storedWs: sample(text, 'pitwall_gateway_gps_fixes_total', 'via="ws"'),
    storedOsmand: sample(text, 'pitwall_gateway_gps_fixes_total', 'via="osmand"'),
    shown: sample(text, 'pitwall_gateway_map_fixes_total', 'outcome="shown"'),
    inputErrors: sample(text, 'pitwall_input_errors_total'),
  };
}

export const counterDelta = (a: GpsCounters, b: GpsCounters): GpsCounters => ({
  storedWs: b.storedWs - a.storedWs, storedOsmand: b.storedOsmand - a.storedOsmand, shown: b.shown - a.shown, inputErrors: b.inputErrors - a.inputErrors,
});
