// The two kernel-log lines that name the running release, shared by the kernel-log
// reader (which only needs the release) and the printk decoder (which keeps every
// field). Kept here, below both, so neither imports the other.

// Linux version 6.1.0-56-amd64 (debian-kernel@lists.debian.org) (gcc-12 ...) #1 SMP PREEMPT_DYNAMIC Debian 6.1.192-2 (2026-11-16)
export const BOOT_BANNER = /^Linux version (?<rel>\S+)/;

// CPU: 1 PID: 385 Comm: victim Tainted: G           OE      6.1.0-56-amd64 #1  Debian 6.1.192-2
// CPU: 0 UID: 0 PID: 2050 Comm: syz-executor0 Not tainted 6.12.0 #90   (newer kernels print the UID)
export const CPU_HEADER = /^CPU: (?<cpu>\d+) (?:UID: (?<uid>\d+) )?PID: (?<pid>\d+) Comm: (?<comm>.*) (?:Kdump: loaded )?(?:Not tainted|Tainted: (?<taint>[A-Z ]*?)) +(?<rel>\d\S*)(?: .*)?$/;

/** The release named by the boot banner or a stack dump's CPU header, else undefined. */
export function releaseOfLogLine(text: string): string | undefined {
  return (BOOT_BANNER.exec(text) ?? CPU_HEADER.exec(text))?.groups?.rel;
}
