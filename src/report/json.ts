// The analysis as one JSON document: times as strings of integer nanoseconds (no
// precision lost), evidence with its file and line.
import type { Analysis } from '../replay/analyze.ts';

export function analysisJson(a: Analysis): unknown {
  return {
    kernel: { ...a.kernel, profile: a.profile.profile.id, family: a.profile.profile.label, reasons: a.profile.reasons, capabilities: a.profile.caps },
    inputs: a.inputs.map((m) => ({ file: m.file, format: m.format, lines: m.lines, kernelRelease: m.kernelRelease, losses: m.losses.length })),
    victims: a.victims,
    findings: a.findings,
  };
}

export function stringify(doc: unknown): string {
  return JSON.stringify(doc, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}
