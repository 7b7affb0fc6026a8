// A trace of many OOM kills: the bundled premature capture's OOM story repeated, each
// round 1000 s after the one before with the same pids and mm_ids (oomRounds). Each
// round's victims must be judged as the single round judges them: a later task given
// the same pid exits without moving an earlier victim's last exit, nor takes the next
// round's kill line and SIGKILL (printed before that round's mark_victim), the premature rule
// and the kernel log's `callback failed` lines are found per round, and the facts name
// each victim's neighbours in its own and the next round.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../pipeline.ts';
import { oomRounds } from '../bench/inputs.ts';
import { SAMPLES_DIR } from '../testing/captures.ts';
import { renderReport } from '../report/html/page.ts';

const seed = join(SAMPLES_DIR, '6.1/premature/ftrace.txt.gz');
const kprobes = join(SAMPLES_DIR, '6.1/premature/kprobe_events.txt');
const ROUNDS = 40;
const SHIFT = 1000_000_000_000n;
const tmp = mkdtempSync(join(tmpdir(), 'reaplay-rounds-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rules = (fs: readonly { rule: string }[]): Record<string, number> => {
  const n: Record<string, number> = {};
  for (const f of fs) n[f.rule] = (n[f.rule] ?? 0) + 1;
  return n;
};

describe('many OOM kills in one trace, pids reused every round', () => {
  // With the kprobe definitions the mm pointers come in too, and they repeat every round as well.
  it.each([['without', []], ['with', [kprobes]]])('judges every round as the single round is judged, %s kprobe definitions', async (_, extra) => {
    const oneFile = join(tmp, 'one.txt');
    const manyFile = join(tmp, 'many.txt');
    await oomRounds(seed, oneFile, 1);
    await oomRounds(seed, manyFile, ROUNDS);
    const one = await analyze([oneFile, ...extra]);
    const many = await analyze([manyFile, ...extra]);
    const n = one.state.victims.length;
    expect(n).toBeGreaterThan(1);
    expect(many.state.victims.length).toBe(ROUNDS * n);
    // What one round judges, every round judges.
    const per = rules(one.findings);
    expect(Object.keys(per).length).toBeGreaterThan(0);
    const premature = one.findings.filter((f) => f.rule === 'PVS-PREMATURE').length;
    // Round after round, the next round's first selection comes while the last victim is long released: no more findings than rounds times one.
    expect(rules(many.findings)).toEqual(Object.fromEntries(Object.entries(per).map(([k, c]) => [k, c * ROUNDS])));
    expect(premature).toBeGreaterThan(0);
    const at = (t: bigint | undefined, r: number): bigint | undefined => (t === undefined ? undefined : t - BigInt(r) * SHIFT);
    for (let r = 0; r < ROUNDS; r++) {
      for (let i = 0; i < n; i++) {
        const v = one.state.victims[i]!;
        const w = many.state.victims[r * n + i]!;
        expect([w.pid, w.outcome, w.release?.how, at(w.release?.ts, r), w.mm.mmPtr, w.selfReaps]).toEqual([v.pid, v.outcome, v.release?.how, v.release?.ts, v.mm.mmPtr, v.selfReaps]);
        expect(at(w.mmTeardown?.ts, r)).toBe(v.mmTeardown?.ts);
        // The lines printed around its selection (SIGKILL, the kill line, the domain) are its own round's, not the next one's.
        expect([at(w.kill?.ts, r), at(w.killLog?.ts, r), w.domain, at(w.domainEv?.ts, r)]).toEqual([v.kill?.ts, v.killLog?.ts, v.domain, v.domainEv?.ts]);
        // The same pid exits again every round: only its own round's exit is this victim's.
        expect([at(w.lastExit?.ts, r), w.exited?.size]).toEqual([v.lastExit?.ts, v.exited?.size]);
        const fv = one.facts.victims[i]!;
        const fw = many.facts.victims[r * n + i]!;
        expect([fw.callbackFailures, fw.callbackSource]).toEqual([fv.callbackFailures, fv.callbackSource]);
        // A finding names its victim by pid: each round's, not the last round's with that pid.
        expect([fw.premature, fw.leaks]).toEqual([fv.premature, fv.leaks]);
        // Its own round's earlier victim when the single round has one, else the last of the round before.
        if (fv.earlier) expect(at(BigInt(fw.earlier!.selectedAt), r)).toBe(BigInt(fv.earlier.selectedAt));
        else if (r > 0) expect(fw.earlier?.pid).toBe(one.state.victims[n - 1]!.pid);
      }
    }
    // Some victim's last exit is known, so the test above reads one.
    expect(one.state.victims.some((v) => v.lastExit)).toBe(true);
    // Each finding names the victim of its own round (rounds are SHIFT apart; one round lasts less).
    many.findings.forEach((f, k) => {
      const vi = many.facts.findingVictims[k];
      if (!f.victim) return expect(vi).toBeUndefined();
      const last = f.evidence[f.evidence.length - 1]!.ts!;
      expect([Math.floor(vi! / n), many.state.victims[vi!]!.pid]).toEqual([Number(last / SHIFT), f.victim.pid]);
    });
    // The report's finding cards link those victims: one premature selection a round, each its own.
    const page = renderReport(many, { charts: {} }).html;
    const links = [...page.matchAll(/PVS-PREMATURE<\/a>.*?<a href="#(victim-\d+)">victim \d+<\/a>/gs)].map((m) => m[1]);
    expect(links.length).toBe(premature * ROUNDS);
    expect(new Set(links).size).toBe(premature * ROUNDS);
  }, 120_000);
});
