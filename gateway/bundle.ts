import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** The browser code, built in memory when the gateway starts: users never run a build command (DESIGN §3). */
export interface BrowserBundle {
  /** `/client.js`: the timing client library as an ES module (`import { createTimingClient } from '/client.js'`). */
  clientJs: Uint8Array;
  /** `/spectator.js`: the spectator page's script. */
  spectatorJs: Uint8Array;
  /** `/race-control.js`: the officials' page's script. */
  raceControlJs: Uint8Array;
  /** `/driver.js`: the driver view's script. */
  driverJs: Uint8Array;
  /** `/results.js`: the results page's script. */
  resultsJs: Uint8Array;
  /** `/events.js`: the events and sessions page's script. */
  eventsJs: Uint8Array;
  /** `/rider.js`: the rider page's script (a competitor's phone sends its positions). */
  riderJs: Uint8Array;
  /** `/map.js`: the live map page's script. */
  mapJs: Uint8Array;
}

const here = path.dirname(fileURLToPath(import.meta.url));

async function bundle(entry: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [path.join(here, entry)],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: false,
    logLevel: 'silent',
  });
  const [file] = result.outputFiles;
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.contents;
}

export async function bundleBrowserCode(): Promise<BrowserBundle> {
  const [clientJs, spectatorJs, raceControlJs, driverJs, resultsJs, eventsJs, riderJs, mapJs] = await Promise.all([bundle('client/index.ts'),
    bundle('page/spectator.ts'), bundle('page/race-control.ts'), bundle('page/driver.ts'), bundle('page/results.ts'), bundle('page/events.ts'),
    bundle('page/rider.ts'), bundle('page/map-page.ts')]);
  return { clientJs, spectatorJs, raceControlJs, driverJs, resultsJs, eventsJs, riderJs, mapJs };
}
