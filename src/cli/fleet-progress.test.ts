// The progress line on a terminal: captures done, captures/s and ETA; nothing when piped.
import { PassThrough } from 'node:stream';
import { expect, it } from 'vitest';
import { fleetProgress } from './fleet-progress.ts';

function stream(tty: boolean) {
  const s = Object.assign(new PassThrough(), { isTTY: tty, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true });
  const chunks: Buffer[] = [];
  s.on('data', (c: Buffer) => chunks.push(c));
  return { s, text: () => Buffer.concat(chunks).toString() };
}

it('shows captures/s and the ETA on a terminal, and nothing when piped', async () => {
  const tty = stream(true);
  const p = fleetProgress({ stdout: new PassThrough(), stderr: tty.s }, 4);
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 120));
    p.tick();
  }
  p.stop();
  expect(tty.text()).toMatch(/3\/4 captures \| [\d.]+ captures\/s \| ETA \d+s/);
  const piped = stream(false);
  const q = fleetProgress({ stdout: new PassThrough(), stderr: piped.s }, 4);
  q.tick();
  q.stop();
  expect(piped.text()).toBe('');
});
