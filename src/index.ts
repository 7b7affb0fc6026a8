// reaplay's library API: the same functions the CLI uses.
//
//   const a = await analyze(['ftrace.txt.gz', 'dmesg.txt', 'kprobe_events.txt']);
//   a.victims; a.findings; a.profile;            // what check prints (a.victims are the facts:
//                                                // src/facts/types.ts; calls in two named scopes)
//   const spec = CHARTS['victim-lifecycle'].spec(chartData([{ trace: 'x', analysis: a }]));
export { parseInputs, newContext } from './ingest/parse-inputs.ts';
export type { ParseOptions, ParseResult } from './ingest/parse-inputs.ts';
export { MODEL_EVENTS, ingestFilter } from './replay/needs.ts';
export { loadCapture } from './timeline/load.ts';
export type { LoadedCapture } from './timeline/load.ts';
export { analyze, analyzeLoaded, ingest, startReplay, stepEvent, stepAll, resolve, settle, replay } from './pipeline.ts';
export type { Analysis, AnalyzeOptions, Replay } from './pipeline.ts';
export { registerDetector, unregisterDetector, detectors } from './replay/detectors/index.ts';
export type { Detector, DetectorContext } from './replay/detectors/index.ts';
export { counterfactualNotes, Resimulation } from './replay/counterfactual.ts';
export { PROFILES, familyOf } from './replay/profiles/index.ts';
export type { Capabilities } from './replay/capabilities.ts';
export type { ModelState, VictimState, CoreCall, Attempt } from './replay/state.ts';
export type { VictimFacts, VictimFacts as VictimSummary, Facts, CallTally, NotifierTally, AttemptFacts, EventTally } from './facts/types.ts';
export { computeFacts } from './facts/index.ts';
export type { Finding, Evidence, Level } from './findings/finding.ts';
export { sampleEvidence } from './findings/finding.ts';
export { chartData } from './charts/data.ts';
export type { ChartData } from './charts/data.ts';
export { CHARTS, CHART_NAMES } from './charts/index.ts';
export { storyText, victimStory, findingLines } from './report/story.ts';
export { analysisJson } from './report/json.ts';
export type { TraceEvent, SourceRef, DataLoss, StreamMeta } from './types/event.ts';
export { formatNs } from '../parsers/common/timestamp.ts';
export { loadGroups, compareGroups, compareJson } from './compare/compare.ts';
export type { CompareOptions, CompareResult, GroupResult } from './compare/compare.ts';
export { compareText } from './compare/text.ts';
