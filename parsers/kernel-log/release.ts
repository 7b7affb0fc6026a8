// The kernel release a log names: the boot banner (also /proc/version), a `uname -a`
// line, or the header of a stack dump.
import { releaseOfLogLine } from '../common/kernel-release.ts';

// Linux (none) 6.1.0-56-amd64 #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16) x86_64 GNU/Linux
const UNAME = /^Linux \S+ (\d\S*) #\d/;

/** The release named by a message, or undefined; cheap for the lines that name none. */
export function kernelReleaseOf(text: string): string | undefined {
  if (text.startsWith('Linux ')) {
    const u = UNAME.exec(text);
    if (u) return u[1];
  } else if (!text.startsWith('CPU: ')) {
    return undefined;
  }
  return releaseOfLogLine(text);
}

/** True for the boot banner, which starts the log of a new boot. */
export function isBootBanner(text: string): boolean {
  return text.startsWith('Linux version ');
}
