// One capture through the model to rows: what `export` runs in-process and each
// fleet worker runs in its thread. A failure becomes the capture's error row.
import { analyze } from '../pipeline.ts';
import { tablesFromAnalysis, type CaptureInfo } from './tables-from-analysis.ts';
import { errorRows } from './error-row.ts';
import type { Rows } from './schema.ts';

export async function analyseCapture(cap: CaptureInfo): Promise<{ rows: Rows; error?: string }> {
  const t0 = performance.now();
  try {
    const a = await analyze(cap.files);
    return { rows: tablesFromAnalysis(a, cap, performance.now() - t0) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    return { rows: errorRows(cap, error, performance.now() - t0), error };
  }
}
