// Importer for kernel logs: dmesg (every time style), /dev/kmsg records, journalctl
// and syslog files (docs/formats.md#kernel-log). Each line becomes a `printk:console`
// event, the same event the tracepoint gives inside traces.
import type { FormatImporter } from '../importer.ts';
import { KernelLogReader } from './reader.ts';
import { sniffKernelLog } from './sniff.ts';

export const kernelLogImporter: FormatImporter = {
  name: 'kernel-log',
  priority: 5,
  sniff: sniffKernelLog,
  createReader: (ctx, meta, sink) => new KernelLogReader(ctx, meta, sink),
};
