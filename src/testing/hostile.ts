// One hostile set for every output channel (terminal, CSV, HTML, SVG/PNG): markup,
// templates, terminal escapes, C1, bidi overrides, NUL and other controls, line breaks,
// formula starts and path-like strings, as a traced process could name itself.
export const HOSTILE: readonly string[] = [
  '<script>alert(1)</script><img src=x onerror=alert(2)>',
  '${7*7}{{7*7}}<%= 7*7 %>',
  '\u001b[31mred\u001b]0;title\u0007\u001b[2J',
  '\u009b31m C1 CSI and \u0085 NEL',
  'evil\u202elive',
  '\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069 isolates',
  'nul\u0000 soh\u0001 del\u007f bs\u0008',
  'line\r\nbreak\ttab\rcr',
  'x\r=2+3',
  ' \t=1+1',
  '\u0001=HYPERLINK("http://x")',
  '@SUM(A1)',
  '+1',
  '-2',
  "'=already",
  '../../etc/passwd',
  'C:\\Windows\\system32\\calc.exe',
  'lone \ud800 surrogate \udfff',
];

/** Code points that must never reach a terminal raw. */
// eslint-disable-next-line no-control-regex
export const RAW_CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
