// The sections of docs/model.md and docs/formats.md that code, findings and pages point
// to. Closed lists, so a link to a section that does not exist fails tsc;
// src/types/model-doc.test.ts checks each anchor against its page, and every
// `docs/<page>.md#anchor` the sources cite against these lists.

export const MODEL_ANCHORS = [
  'capabilities', 'state', 'state-victim', 'state-settle', 'state-call', 'mm', 'domains',
  'rules', 'rules-unpaired', 'rules-premature', 'rules-notifier-evidence', 'rules-needs', 'counterfactual',
] as const;

export type ModelAnchor = (typeof MODEL_ANCHORS)[number];

/** The page's path in the repository. */
export const MODEL_DOC = 'docs/model.md';

/** `docs/model.md#<anchor>`, the way code, messages and pages cite a section. */
export const modelRef = (anchor: ModelAnchor): string => `${MODEL_DOC}#${anchor}`;

/** Sections of the input formats page: line layouts, log lines and kernel events per version. */
export const FORMAT_ANCHORS = [
  'inputs', 'tracefs', 'tracefs-line', 'tracefs-tgid', 'tracefs-markers', 'trace-cmd-report',
  'perf-script', 'kernel-log', 'oom-events', 'mm-events', 'kvm', 'kprobes', 'trace-dat-buffers',
] as const;

export type FormatAnchor = (typeof FORMAT_ANCHORS)[number];

export const FORMATS_DOC = 'docs/formats.md';

/** `docs/formats.md#<anchor>`, as `modelRef`. */
export const formatsRef = (anchor: FormatAnchor): string => `${FORMATS_DOC}#${anchor}`;

/** Every documentation page the code cites by anchor, with the anchors it may cite. */
export const DOC_ANCHORS: Readonly<Record<string, readonly string[]>> = {
  [MODEL_DOC]: MODEL_ANCHORS,
  [FORMATS_DOC]: FORMAT_ANCHORS,
};
