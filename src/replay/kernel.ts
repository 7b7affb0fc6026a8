// Which kernel a capture comes from, and the profile to replay it with: the family
// of its version, then stable backports, then what the trace itself shows, then
// the user's overrides — each step recorded so the report can say why.
import { ReaplayError } from '../types/errors.ts';
import { BASE, type Capabilities } from './capabilities.ts';
import { familyOf, type Profile } from './profiles/index.ts';
import { BACKPORTS } from './backports.ts';

export interface KernelVersion {
  major: number;
  minor: number;
  /** Upstream sublevel when known (6.1.192); distribution ABI numbers are not sublevels. */
  sublevel?: number;
  /** The text it was read from. */
  text: string;
}

// "6.1.192", "5.10", "6.1.0-56-amd64" (Debian ABI: the 0 is not the upstream sublevel)
const VERSION_RE = /^(\d+)\.(\d+)(?:\.(\d+))?(.*)$/;
// "... #1 SMP Debian 5.10.223-1 (2024-08-10)", "#1  Debian 6.1.192-2"
const DISTRO_UPSTREAM_RE = /#\d+\s.*?\bDebian (\d+)\.(\d+)\.(\d+)/;

export function parseVersion(text: string): KernelVersion | undefined {
  const m = VERSION_RE.exec(text.trim());
  if (!m) return undefined;
  const v: KernelVersion = { major: Number(m[1]), minor: Number(m[2]), text };
  // A bare "x.y.z" is upstream; "x.y.0-NN-flavour" is a distribution ABI string.
  if (m[3] !== undefined && (m[4] === '' || !/^-\d/.test(m[4]!) || m[3] !== '0')) v.sublevel = Number(m[3]);
  return v;
}

/** The upstream version printed by distribution kernels beside their ABI release. */
export function upstreamFrom(text: string): KernelVersion | undefined {
  const m = DISTRO_UPSTREAM_RE.exec(text);
  return m ? { major: Number(m[1]), minor: Number(m[2]), sublevel: Number(m[3]), text: `${m[1]}.${m[2]}.${m[3]}` } : undefined;
}

/** What the trace shows about the kernel's behaviour, whatever its version says. */
export interface ObservedCaps {
  caps: Partial<Capabilities>;
  reasons: string[];
}

export interface ResolvedProfile {
  profile: Profile;
  caps: Capabilities;
  kernel?: KernelVersion;
  /** How the capability set was arrived at, in order. */
  reasons: string[];
}

export interface ResolveOptions {
  /** `--kernel V` or `--as-kernel V`: replaces the detected version. */
  version?: string;
  detected?: KernelVersion;
  /** No release printed: the version range the log's line formats imply (`4.5-5.1`, `>=5.4`, `3.10 (el7)`). */
  impliedFamily?: string;
  observed?: ObservedCaps;
  overrides?: Partial<Capabilities>;
}

/**
 * The version to replay a log with when only its formats narrow the version: the
 * newest in the range (`<=4.4` → 4.4, `4.5-5.1` → 5.1, `3.10 (el7)` → 3.10); an
 * open range (`>=5.4`) keeps the default 6.1 when it lies inside it.
 */
function impliedVersion(label: string | undefined): [number, number] | undefined {
  if (!label) return undefined;
  const m = /^(?:<=|>=)?(\d+)\.(\d+)(?:\.\d+)?(?:-(\d+)\.(\d+))?/.exec(label);
  if (!m) return undefined;
  if (label.startsWith('>=')) {
    const lo = [Number(m[1]), Number(m[2])] as [number, number];
    return lo[0] < 6 || (lo[0] === 6 && lo[1] <= 1) ? [6, 1] : lo;
  }
  if (m[3] !== undefined) return [Number(m[3]), Number(m[4])];
  return [Number(m[1]), Number(m[2])];
}

export function resolveProfile(opts: ResolveOptions): ResolvedProfile {
  const reasons: string[] = [];
  let kernel = opts.detected;
  if (opts.version !== undefined) {
    const v = parseVersion(opts.version);
    if (!v) throw new ReaplayError('bad_kernel_version', `kernel version '${opts.version}': expected MAJOR.MINOR[.SUBLEVEL], e.g. 5.4 or 6.1.192`);
    kernel = v;
  }
  const implied = kernel ? undefined : impliedVersion(opts.impliedFamily);
  const profile = kernel ? familyOf(kernel.major, kernel.minor) : implied ? familyOf(implied[0], implied[1]) : familyOf(6, 1);
  if (kernel) reasons.push(`family ${profile.label} from kernel ${kernel.text}`);
  else if (implied) reasons.push(`family ${profile.label} inferred: no kernel release printed; the log's line formats imply ${opts.impliedFamily} (${opts.impliedFamily!.startsWith('>=') ? 'the default family, inside that range,' : 'the newest family in that range'} is assumed)`);
  else reasons.push(`family ${profile.label} assumed: no kernel release in the inputs, and no line format narrows the version`);
  let caps: Capabilities = { ...BASE, ...profile.caps };
  if (kernel?.sublevel !== undefined) {
    for (const b of BACKPORTS) {
      if (b.series[0] === kernel.major && b.series[1] === kernel.minor && kernel.sublevel >= b.from) {
        caps = { ...caps, ...b.caps };
        reasons.push(`backport: ${b.note}`);
      }
    }
  }
  // The user's explicit version describes a kernel that did not record this trace:
  // what the trace showed about the recording kernel does not carry over.
  if (opts.observed && opts.version === undefined) {
    caps = { ...caps, ...opts.observed.caps };
    reasons.push(...opts.observed.reasons.map((r) => `observed: ${r}`));
  }
  if (opts.overrides && Object.keys(opts.overrides).length) {
    caps = { ...caps, ...opts.overrides };
    for (const [k, v] of Object.entries(opts.overrides)) reasons.push(`override: ${k}=${String(v)}`);
  }
  return { profile, caps, kernel, reasons };
}
