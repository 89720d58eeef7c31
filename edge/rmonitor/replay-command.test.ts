import net from 'node:net';
import t from 'tap';
import { startPitwall } from '../../engine/testing/cli.ts';
import { capturePath } from './testing/captures.ts';

t.test('pitwall replay --tcp 0 prints the real port and serves the capture; SIGTERM stops it', async (t) => {
  const replay = startPitwall(['replay', capturePath('bradfier/Orbits_Mock_Session.txt'), '--tcp', '0', '--speed', 'max', '--from-line', '7']);
  t.teardown(() => void replay.child.kill('SIGKILL'));
  const port = Number((await replay.waitForLine(/^replay tcp:\/\/127\.0\.0\.1:(\d+)$/))[1]);
  t.ok(port > 0);

  const text = await new Promise<string>((resolve, reject) => {
    const s = net.createConnection({ host: '127.0.0.1', port });
    let got = '';
    s.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.split('\r\n').length > 578) { // the 578 lines from line 7, complete
        s.destroy();
        resolve(got);
      }
    });
    s.on('error', reject);
  });
  const lines = text.split('\r\n');
  t.equal(lines[0], '$G,1,"1",,"00:00:00.000"', 'starts at line 7');
  t.equal(lines[577], '$F,0,"00:00:00","23:26:16","00:00:00","      "', 'ends with the last line');

  replay.child.kill('SIGTERM');
  t.equal(await replay.exited, 0);
});

t.test('pitwall replay refuses bad options', async (t) => {
  const bad = startPitwall(['replay', capturePath('redmist/TestGap.txt'), '--speed', 'fast', '--tcp', '0']);
  t.equal(await bad.exited, 2);
  t.match(bad.stderr(), /--speed takes a positive number or 'max'/);
});
