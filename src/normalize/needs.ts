// What the decoders declare they read: every event with a decoder, and every kprobe
// (decoded from its definition). The ingest filter starts from this list.
import { KPROBES_TOKEN } from '../../parsers/common/event-names.ts';
import { DECODERS } from './index.ts';

export const DECODED_EVENTS: readonly string[] = [...Object.keys(DECODERS), KPROBES_TOKEN];
