import type { ByteSource, ParseContext, ReaderSink } from '../importer.ts';
import type { StreamMeta } from '../../src/types/event.ts';
import { InputError } from '../common/input.ts';

export async function readPerfData(_src: ByteSource, _ctx: ParseContext, meta: StreamMeta, _sink: ReaderSink): Promise<void> {
  throw new InputError(meta.file, 'perf.data is recognised but not read yet', 'not_a_trace');
}
