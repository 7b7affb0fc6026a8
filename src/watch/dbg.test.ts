import { it } from 'vitest';
import { watchCapture } from '/work/wt-watch/src/watch/watch.test.ts';
import { analyze } from '/work/wt-watch/src/replay/analyze.ts';
const d = process.env.CAP!;
it('x', async () => {
  const f = { trace: `${d}/ftrace.txt.gz`, log: `${d}/dmesg.txt${d.includes('samples') ? '.gz' : ''}`, defs: `${d}/kprobe_events.txt` };
  const a = await analyze([f.trace, f.log, f.defs]);
  const w = await watchCapture(f, Number(process.env.CH ?? 65536));
  const j = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  const last = new Map<number, string>();
  for (const x of w.emitted) if (x.e.type === 'victim') last.set(x.e.victim.pid, j(x.e.victim.summary));
  for (const x of w.emitted) console.log('WATCH', x.pos, w.size, x.e.type, x.e.type === 'victim' ? x.e.victim.settledBy : x.e.finding.rule);
  for (const v of a.victims) { const c = JSON.parse(j(v)); const ww = JSON.parse(last.get(v.pid) ?? '{}');
    for (const k of new Set([...Object.keys(c), ...Object.keys(ww)])) if (JSON.stringify(c[k]) !== JSON.stringify(ww[k])) console.log('DIFF', v.pid, k, JSON.stringify(ww[k]), '!=check', JSON.stringify(c[k])); }
}, 60000);
