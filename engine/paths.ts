import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (where nats.conf and package.json live). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
