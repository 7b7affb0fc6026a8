// The analysis of one capture now lives in src/pipeline.ts (one place for the phases);
// these names stay for the callers that import them from here.
export { analyze, analyzeLoaded, detectKernel, replay, type Analysis, type AnalyzeOptions } from '../pipeline.ts';
