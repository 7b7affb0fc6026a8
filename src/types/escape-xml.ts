// The SVG/PNG channel. XML 1.0 forbids most C0 controls, lone surrogates and
// U+FFFE/U+FFFF even when escaped, so a comm holding one makes an SVG that is not
// well-formed and resvg refuses it ("non-XML character"). Vega escapes `<>&"` in the
// text it writes; what XML forbids, and the bidi overrides that would reorder a chart
// label, are replaced here with visible escapes (terminal-style `\x1b`, `\u202e`).
import { visibleEscape } from './escape-terminal.ts';

// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text (or a whole SVG document) with every character XML forbids, and every bidi control, made visible. */
export function xmlSafe(s: string): string {
  return s.replace(NOT_XML, (c) => (c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff ? '\\ufffd' : visibleEscape(c)));
}
