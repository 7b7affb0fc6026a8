// The head every page reaplay writes shares (report, compare, fleet): the policy of
// csp.ts, no referrer, the page's title (escaped) and its stylesheet.
import { html, trusted, type Html } from './escape.ts';

export function pageHead(title: string, csp: string, css: string): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${trusted(css)}</style>
</head>`;
}
