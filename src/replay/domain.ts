// The OOM domain rule (docs/model.md, "OOM domains"): a victim only gates the
// selections of its own domain (the system, or one memory cgroup). A domain the
// inputs do not name (`unknown`, or a memcg kill whose path was not printed) is
// taken as possibly the same: the rule then errs towards judging the pair.
export const VAGUE_DOMAINS: ReadonlySet<string> = new Set(['unknown', 'memcg:?']);

export function sameDomain(a: { domain: string }, b: { domain: string }): boolean {
  return VAGUE_DOMAINS.has(a.domain) || VAGUE_DOMAINS.has(b.domain) || a.domain === b.domain;
}
