// perf.data starts with the magic `PERFILE2` (file and pipe mode alike).
export function sniffPerfData(head: Uint8Array): number {
  return head.length >= 8 && Buffer.from(head.subarray(0, 8)).toString('latin1') === 'PERFILE2' ? 1 : 0;
}
