import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../paths.ts';

/**
 * The example queries of docs/analytics.md (its ```sql blocks), in order. Those on `positions` need a GPS race: the
 * GPS test runs them; the analyst test runs the others against a simulated race.
 */
export function analyticsExamples(): { sql: string; onPositions: boolean }[] {
  const doc = fs.readFileSync(path.join(REPO_ROOT, 'docs', 'analytics.md'), 'utf8');
  return [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => ({ sql: m[1]!, onPositions: /\bFROM positions\b/.test(m[1]!) }));
}
