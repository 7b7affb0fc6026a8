// Placeholder until the kernel-log decoder lands (replaced in full by it).
import type { Fields } from '../types/event.ts';

export function decodePrintk(_text: string): Fields | undefined {
  return { kind: 'other' };
}
