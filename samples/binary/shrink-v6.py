#!/usr/bin/env python3
"""Rewrite a trace.dat of file version 6 with its kallsyms cut down to the functions its
kprobes probe (and the symbol after each, which bounds the lookup), so a bundled sample
stays small. Usage: shrink-v6.py IN.dat OUT.dat FUNC,FUNC…  (IN from `trace-cmd convert --file-version 6`)."""
import struct, sys

src = open(sys.argv[1], 'rb').read()
p = 0
def take(n):
    global p
    b = src[p:p + n]; p += n; return b
def u16(): return struct.unpack('<H', take(2))[0]
def u32(): return struct.unpack('<I', take(4))[0]
def u64(): return struct.unpack('<Q', take(8))[0]
def cstr():
    global p
    e = src.index(b'\0', p); s = src[p:e]; p = e + 1; return s

assert src[:10] == b'\x17\x08Dtracing' and src[10:12] == b'6\0'
page = struct.unpack('<I', src[14:18])[0]
p = 18
take(12); take(u64()); take(13); take(u64())
for _ in range(u32()): take(u64())
probe_ips = set()
formats = []
for _ in range(u32()):
    cstr()
    for _ in range(u32()): formats.append(take(u64()).decode())
ks_at = p
kallsyms = take(u32()).decode()
rest_at = p
# Keep the probed functions (named on the command line) and the symbol after each.
wanted = set(sys.argv[3].split(',')) if len(sys.argv) > 3 else set()
rows = []
for line in kallsyms.split('\n'):
    parts = line.split(' ', 2)
    if len(parts) == 3: rows.append((int(parts[0], 16), line))
rows.sort(key=lambda r: r[0])
keep = []
for i, (a, line) in enumerate(rows):
    name = line.split(' ', 2)[2].split('\t')[0]
    if name in wanted:
        keep.append(line)
        if i + 1 < len(rows): keep.append(rows[i + 1][1])
small = ('\n'.join(keep) + '\n').encode()
# printk, cmdlines, cpu count, options, data kind, cpu table, clock
take(u32()); take(u64()); ncpu = u32()
if src[p:p + 10] == b'options  \0':
    take(10)
    while True:
        oid = u16()
        if oid == 0: break
        take(u32())
assert take(10) == b'flyrecord\0'
meta_end = p - 10
cpus = [(u64(), u64()) for _ in range(ncpu)]
clock = u64()  # length of the clock text
clock_text = take(clock)
head = src[:ks_at] + struct.pack('<I', len(small)) + small + src[rest_at:meta_end] + b'flyrecord\0'
table_len = 16 * ncpu + 8 + len(clock_text)
off = -(-(len(head) + table_len) // page) * page
table = b''
data = b''
for (o, s) in cpus:
    if s == 0:
        table += struct.pack('<QQ', 0, 0); continue
    table += struct.pack('<QQ', off + len(data), s)
    chunk = src[o:o + s]
    data += chunk + b'\0' * ((-len(chunk)) % page)
out = head + table + struct.pack('<Q', len(clock_text)) + clock_text
out += b'\0' * (off - len(out)) + data
open(sys.argv[2], 'wb').write(out)
