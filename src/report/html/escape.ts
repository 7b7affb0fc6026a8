// The two ways text from a trace reaches the page. Every string of a trace (comm,
// cgroup paths, notifier names, file names, event text) is attacker-controlled.
//
// - esc(): the one escaping function for HTML text and for attribute values (always
//   written in double quotes). Besides the five HTML specials it shows control
//   characters and bidirectional overrides as visible escapes (\x1b, \u202e), so a
//   name can neither hide itself nor reorder the text around it. The html`` tag
//   applies it to every value it interpolates.
// - jsonScript(): data for the page's script, as JSON inside
//   <script type="application/json">, with `<` (and `>`, `&`, U+2028/9) as \uXXXX so
//   `</script>` or `<!--` in a string cannot end the element; the page reads it back
//   with JSON.parse, never as script code. Its strings (chart labels, tooltips) get
//   the same visible escapes for controls and bidi overrides as esc() gives text.
import { visibleEscape } from '../../types/escape-terminal.ts';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

// eslint-disable-next-line no-control-regex
const UNSAFE = /[&<>"'\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

// Data strings keep LF and TAB (multi-line event text); every other control goes.
// eslint-disable-next-line no-control-regex
const UNSAFE_DATA = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text or a double-quoted attribute value, escaped for HTML. */
export function esc(v: string | number | bigint | boolean | undefined | null): string {
  if (v === undefined || v === null) return '';
  return String(v).replace(UNSAFE, (c) => ENTITIES[c] ?? visibleEscape(c));
}

/** Markup built by this module (never text from a trace). */
export class Html {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

export type Part = Html | string | number | bigint | boolean | undefined | null | readonly Part[];

function part(v: Part): string {
  if (v instanceof Html) return v.html;
  if (Array.isArray(v)) return v.map(part).join('');
  if (v === false) return '';
  return esc(v as string | number | bigint | boolean | undefined | null);
}

/**
 * The page's template tag: every interpolated value goes through esc() unless it is
 * markup built by html`` itself (arrays are joined; undefined, null and false vanish).
 */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += part(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** Markup from this module's own constants (the stylesheet, a bundled library). Never trace text. */
export const trusted = (s: string): Html => new Html(s);

/** JSON with bigints as strings of digits (as in report.json). */
export function toJson(value: unknown, space?: number): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), space);
}

/** JSON that is safe as the content of a <script> element. */
export function scriptJson(value: unknown): string {
  const json = JSON.stringify(value, (_k, v: unknown) =>
    typeof v === 'bigint' ? v.toString() : typeof v === 'string' ? v.replace(UNSAFE_DATA, visibleEscape) : v,
  );
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A data island, `<script type="application/json" id=...>`; the id is the page's own, never trace text. */
export function jsonScript(id: string, value: unknown): Html {
  return new Html(`<script type="application/json" id="${esc(id)}">${scriptJson(value)}</script>`);
}
