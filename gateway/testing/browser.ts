import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import type { Test } from 'tap';

/** Debian's Chromium (apt-get install chromium); Playwright never downloads a browser here. */
export const CHROMIUM_PATH = process.env.PITWALL_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

/**
 * A headless Chromium for one test, closed at teardown. A missing Chromium is a failure with the command to fix
 * it, never a skip: browser tests that silently skip test nothing.
 */
export async function launchChromium(t: Test): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with 'apt-get install -y chromium' (or set PITWALL_CHROMIUM)`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  t.teardown(() => browser.close());
  return browser;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Where a test keeps screenshots and the like: `.tap/artifacts/<name>` (git-ignored), the folder created. */
export function artifactPath(name: string): string {
  const dir = path.join(repoRoot, '.tap', 'artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
