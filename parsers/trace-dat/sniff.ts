// trace.dat starts `17 08 44 "tracing"` then its version as text.
export const TRACE_DAT_MAGIC = [0x17, 0x08, 0x44, 0x74, 0x72, 0x61, 0x63, 0x69, 0x6e, 0x67];

export function sniffTraceDat(head: Uint8Array): number {
  if (head.length < TRACE_DAT_MAGIC.length) return 0;
  for (let i = 0; i < TRACE_DAT_MAGIC.length; i++) if (head[i] !== TRACE_DAT_MAGIC[i]) return 0;
  return 1;
}
