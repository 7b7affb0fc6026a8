// The analysis as one JSON document: times as strings of integer nanoseconds (no
// precision lost), evidence with its file and line. Victims are the facts (src/facts)
// under the same names the text uses: `calls.inAttempts` and `calls.mmLifetime`.
import type { Analysis } from '../pipeline.ts';

export function analysisJson(a: Analysis): unknown {
  return {
    kernel: { ...a.kernel, profile: a.profile.profile.id, family: a.profile.profile.label, reasons: a.profile.reasons, capabilities: a.profile.caps },
    inputs: a.inputs.map((m) => ({ file: m.file, format: m.format, lines: m.lines, kernelRelease: m.kernelRelease, losses: m.losses.length })),
    diagnostics: a.facts.diagnostics,
    events: a.facts.events,
    observations: a.facts.observations,
    // The per-sample series (anon memory, each callback) are for the charts; the document keeps the numbers.
    victims: a.facts.victims.map(({ anon: _anon, callbacks: _callbacks, ...v }) => v),
    findings: a.findings,
  };
}

export function stringify(doc: unknown): string {
  return JSON.stringify(doc, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}
