// The scripts a page inlines and the Content-Security-Policy that allows exactly them (by
// hash) and nothing else: no request, no other script, no form, no base URL. One policy
// for every page reaplay writes (report, compare, fleet).
import { createHash } from 'node:crypto';
import { chartLibraries } from './assets.ts';
import { BOOT } from './boot.ts';

const sha256 = (s: string): string => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The chart libraries and the page's script, only when there is a chart to draw; and the policy. */
export function pageScripts(drawn: readonly { spec?: unknown }[]): { scripts: string[]; csp: string } {
  const scripts = drawn.some((c) => c.spec) ? [...chartLibraries().map((l) => l.code), BOOT] : [];
  const csp = [
    "default-src 'none'",
    scripts.length ? `script-src ${scripts.map(sha256).join(' ')}` : "script-src 'none'",
    "style-src 'unsafe-inline'",
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return { scripts, csp };
}
