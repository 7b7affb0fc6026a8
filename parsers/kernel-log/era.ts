// The kernel versions a log's OOM line formats imply, for logs that print no release.
// Each format existed in a range of versions (docs/formats.md#kernel-log, mm/oom_kill.c and
// mm/memcontrol.c of each version); the log's range is the intersection. Vendor
// kernels with their own kill line (RHEL/CentOS 6 and 7) are named as such.
import { decodePrintk } from '../common/printk-line.ts';

/** major.minor[.sub] as one comparable number. */
const v = (major: number, minor: number, sub = 0): number => major * 1_000_000 + minor * 1000 + sub;

function show(n: number): string {
  const major = Math.floor(n / 1_000_000);
  const minor = Math.floor(n / 1000) % 1000;
  const sub = n % 1000;
  return sub ? `${major}.${minor}.${sub}` : `${major}.${minor}`;
}

const MIN = 0;
const MAX = Number.MAX_SAFE_INTEGER;

/** Cheap pre-filter: a line that none of the formats below can be. */
const WORDS = /oom|Kill|cpuset=|Task in /;

export class FormatHints {
  private lo = MIN;
  private hi = MAX;
  private vendor?: string;
  /** What narrowed the range, for the explanation. */
  readonly seen = new Set<string>();

  private narrow(lo: number, hi: number, what: string): void {
    if (lo > this.lo) this.lo = lo;
    if (hi < this.hi) this.hi = hi;
    this.seen.add(what);
  }

  see(text: string): void {
    if (!WORDS.test(text)) return;
    const f = decodePrintk(text);
    if (!f) return;
    switch (f.kind) {
      case 'oom_choose':
        this.narrow(MIN, v(5, 1), 'Kill process … or sacrifice child');
        return;
      case 'oom_kill':
        if (f.style === 'el7') this.vendor = '3.10 (el7)';
        else if (f.style === 'el6') this.vendor = '2.6.32 (el6)';
        else if (f.uid !== undefined) this.narrow(v(5, 4), MAX, 'kill line with UID/pgtables');
        else if (f.prefix !== undefined && f.prefix !== '') this.narrow(v(5, 2), v(5, 3), '"<domain>: Killed process" without UID');
        else if (f.shmem_rss_kb !== undefined) this.narrow(v(4, 5), v(5, 1), 'kill line with shmem-rss, no prefix');
        else if (!f.cut) this.narrow(MIN, v(4, 4), 'kill line without shmem-rss');
        return;
      case 'oom_reaped':
      case 'oom_unable_to_reap':
        this.narrow(v(4, 6), MAX, 'oom_reaper line');
        return;
      case 'oom_summary':
        this.narrow(v(5, 0), MAX, 'oom-kill: summary line');
        return;
      case 'oom_invoked':
        if (f.oom_adj !== undefined) this.narrow(MIN, v(2, 6, 35), 'invoked line with oom_adj');
        else if (f.nodemask !== undefined) this.narrow(MIN, v(4, 19), 'invoked line with nodemask');
        else if (f.gfp_flags !== undefined) this.narrow(v(5, 0), MAX, 'invoked line with gfp flags, no nodemask');
        else this.narrow(MIN, v(4, 4), 'invoked line without gfp flags');
        return;
      case 'oom_cpuset':
        this.narrow(MIN, v(4, 19), 'cpuset/mems_allowed line');
        return;
      case 'memcg_task_in':
        this.narrow(MIN, v(4, 19), '"Task in … killed as a result of limit of"');
        return;
    }
  }

  /** `4.5-5.1`, `<=4.4`, `>=5.4`, `3.10 (el7)`; undefined when nothing narrowed it or the formats disagree. */
  family(): string | undefined {
    if (this.vendor) return this.vendor;
    if (this.lo > this.hi) return undefined;
    if (this.lo === MIN && this.hi === MAX) return undefined;
    if (this.lo === MIN) return `<=${show(this.hi)}`;
    if (this.hi === MAX) return `>=${show(this.lo)}`;
    return this.lo === this.hi ? show(this.lo) : `${show(this.lo)}-${show(this.hi)}`;
  }
}
