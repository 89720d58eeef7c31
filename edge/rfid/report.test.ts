import { readFile } from 'node:fs/promises';
import t from 'tap';
import { DOC, rfidReport, withGenerated } from './report.ts';

t.test('docs/rfid.md shows what the code computes from the real logs', async (t) => {
  const doc = await readFile(DOC, 'utf8');
  t.equal(doc, withGenerated(doc, await rfidReport()), 'regenerate with `npx tsx edge/rfid/report.ts`');
  // What the doc claims in words: the peak-signal estimate is the one CrossMgr's own estimate agrees with.
  t.match(doc, /\|peak − CrossMgr\| median 0 ms, max 118 ms; \|first − CrossMgr\| median 169 ms/);
});
