// Binary traces the toolkit recognises but does not read: named, with what to do instead.
const u32le = (b: Uint8Array, o: number): number => (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
const u32be = (b: Uint8Array, o: number): number => ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;

/** A sentence naming what `head` is and what to do, or undefined when it is nothing known. */
export function unsupportedBinary(head: Uint8Array): string | undefined {
  if (head.length < 4) return undefined;
  const ascii = Buffer.from(head.subarray(0, 16)).toString('latin1');
  const magic = [u32le(head, 0), u32be(head, 0)];
  if (magic.includes(0xc1fc1fc1)) return 'an LTTng / CTF stream file, which is not supported: convert it with `babeltrace2 <trace-dir>` and give the text, or record with trace-cmd or perf';
  if (magic.includes(0x75d11d57) || ascii.startsWith('/* CTF')) return 'CTF trace metadata (LTTng), which is not supported: convert the trace with `babeltrace2 <trace-dir>` and give the text';
  if (ascii.startsWith('PERFFILE')) return 'a perf.data of the old version 1 format, which is not supported: run `perf script` on it and give the text';
  if (ascii.startsWith('2ELIFREP')) return 'a big-endian perf.data, which is not supported: run `perf script` on it and give the text';
  // Perfetto: a stream of TracePacket messages, field 1, length-delimited (0x0a), then a varint length.
  if (head[0] === 0x0a && head.length >= 8 && hasBinaryBytes(head) && isPerfettoPacket(head)) {
    return 'looks like a Perfetto protobuf trace, which is not supported: record the kernel events with `trace-cmd record` (trace.dat) or `perf record`, or export the ftrace text with `traceconv text`';
  }
  return undefined;
}

function isPerfettoPacket(head: Uint8Array): boolean {
  let len = 0;
  let shift = 0;
  let i = 1;
  for (; i < 6 && i < head.length; i++) {
    len += (head[i]! & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(head[i]! & 0x80)) break;
  }
  const tag = head[i + 1];
  // A TracePacket starts with a known small field tag (varint or length-delimited).
  return len > 0 && len < 1 << 28 && tag !== undefined && (tag & 7) <= 2 && tag >> 3 >= 1 && tag >> 3 <= 120;
}

/** Text never holds control bytes other than tab, newline, carriage return. */
function hasBinaryBytes(head: Uint8Array): boolean {
  for (let i = 0; i < Math.min(head.length, 256); i++) {
    const c = head[i]!;
    if (c < 9 || (c > 13 && c < 32)) return true;
  }
  return false;
}
