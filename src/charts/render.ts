// Headless rendering: Vega-Lite → Vega → SVG text (no DOM, no canvas), then SVG →
// PNG with resvg. Text in the rows (comm, labels) reaches the SVG only as text
// nodes and attribute values that Vega escapes; nothing here builds markup.
// What XML forbids (C0 controls, lone surrogates) and bidi overrides are made visible
// by xmlSafe() (src/types/escape-xml.ts): the SVG stays well-formed and resvg reads it.
import * as vega from 'vega';
import { xmlSafe } from '../types/escape-xml.ts';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg } from '@resvg/resvg-js';

/** A logger that keeps warnings (they fail the tests) and throws on errors. */
function collecting(warnings: string[]): vega.LoggerInterface {
  let level = vega.Warn;
  const logger: vega.LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      throw new Error(args.map(String).join(' '));
    },
    warn(...args: unknown[]) {
      warnings.push(args.map(String).join(' '));
      return logger;
    },
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** The Vega spec of a Vega-Lite spec, and the compiler's warnings. */
export function compileSpec(spec: TopLevelSpec): { vega: vega.Spec; warnings: string[] } {
  const warnings: string[] = [];
  return { vega: compile(spec, { logger: collecting(warnings) }).spec, warnings };
}

/**
 * SVG text of a chart. Warnings of the compiler and of the Vega runtime go to
 * `warnings` when given (else they are dropped: the tests keep them at zero).
 */
export async function toSvg(spec: TopLevelSpec, warnings: string[] = []): Promise<string> {
  const compiled = compileSpec(spec);
  warnings.push(...compiled.warnings);
  const view = new vega.View(vega.parse(compiled.vega), { renderer: 'none', logger: collecting(warnings) });
  try {
    return xmlSafe(await view.toSVG());
  } finally {
    view.finalize();
  }
}

/** PNG of an SVG at twice its size, white background, with the system's fonts (DejaVu Sans for sans-serif). */
export function toPng(svg: string): Buffer {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
    font: { loadSystemFonts: true, sansSerifFamily: 'DejaVu Sans', defaultFontFamily: 'DejaVu Sans' },
  });
  return r.render().asPng();
}
