// The sections of docs/model.md that code, findings and pages point to. A closed list,
// so a link to a section that does not exist fails tsc; src/types/model-doc.test.ts
// checks each anchor against the page itself.

export const MODEL_ANCHORS = [
  'capabilities', 'state', 'state-victim', 'state-call', 'mm', 'domains',
  'rules', 'rules-unpaired', 'rules-premature', 'rules-notifier-evidence', 'rules-needs', 'counterfactual',
] as const;

export type ModelAnchor = (typeof MODEL_ANCHORS)[number];

/** The page's path in the repository. */
export const MODEL_DOC = 'docs/model.md';

/** `docs/model.md#anchor`, the way code, messages and pages cite a section. */
export const modelRef = (anchor: ModelAnchor): string => `${MODEL_DOC}#${anchor}`;
