// The section of docs/model.md that states a finding's rule, for the pages' links.
import type { ModelAnchor } from '../types/model-doc.ts';

export function ruleAnchor(rule: string): ModelAnchor {
  if (rule.startsWith('UPI-') || rule.startsWith('ITREE-')) return 'rules-unpaired';
  if (rule.startsWith('PVS-')) return 'rules-premature';
  if (rule === 'MODEL:requires' || rule.startsWith('COV-') || rule.endsWith(':requires')) return 'rules-needs';
  // A rule of a detector registered from outside: the rules in general.
  return 'rules';
}
