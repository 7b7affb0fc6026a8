// The two kernel-log lines that name the running release, shared by the kernel-log
// reader (which only needs the release) and the printk decoder (which keeps every
// field). Kept here, below both, so neither imports the other.

// Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12 ...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)
export const BOOT_BANNER = /^Linux version (?<rel>\S+)/;

// CPU: 1 PID: 385 Comm: victim Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2
// CPU: 0 UID: 0 PID: 2050 Comm: syz-executor0 Not tainted 6.12.0 #90   (newer kernels print the UID)
// CPU: 9 PID: 14881 Comm: java Tainted: G    B          ------------ T 3.10.0-327.4.5.el7.x86_64 #1   (RHEL's dashed field)
const CPU_HEAD = /^CPU: \d+ (?:UID: \d+ )?PID: \d+ Comm: /;

/** The release of a stack dump's CPU header: the first word after the taint letters (or dashes) that starts with a digit. */
function releaseOfCpuHeader(text: string): string | undefined {
  const h = CPU_HEAD.exec(text);
  if (!h) return undefined;
  const rest = text.slice(h[0].length);
  const nt = rest.lastIndexOf(' Not tainted ');
  const tt = rest.lastIndexOf(' Tainted: ');
  const at = Math.max(nt, tt);
  if (at < 0) return undefined;
  for (const w of rest.slice(at + (tt > nt ? 10 : 13)).split(' ')) {
    if (!w) continue;
    const c = w.charCodeAt(0);
    if (c >= 48 && c <= 57) return w;
    if (!/^(?:[A-Z]+|-+)$/.test(w)) return undefined;
  }
  return undefined;
}

/** The release named by the boot banner or a stack dump's CPU header, else undefined. */
export function releaseOfLogLine(text: string): string | undefined {
  return BOOT_BANNER.exec(text)?.groups?.rel ?? releaseOfCpuHeader(text);
}
