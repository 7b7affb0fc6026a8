// One report measurement in a fresh process:
//   tsx src/bench/report.ts <trace> <kprobe_events>
// Prints one JSON line: victims, time to analyse and to render the page, its size, peak RSS.
import { analyze } from '../pipeline.ts';
import { renderReport } from '../report/html/page.ts';
import { CHARTS } from '../charts/index.ts';

const [trace, defs] = process.argv.slice(2);
const t0 = process.hrtime.bigint();
const a = await analyze([trace!, defs!]);
const t1 = process.hrtime.bigint();
const { html } = renderReport(a, { charts: CHARTS });
const t2 = process.hrtime.bigint();
console.log(
  JSON.stringify({
    victims: a.victims.length,
    findings: a.findings.length,
    analyzeSeconds: Number(t1 - t0) / 1e9,
    renderSeconds: Number(t2 - t1) / 1e9,
    htmlBytes: Buffer.byteLength(html),
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
