// Every regular expression literal in the project's sources, found with the TypeScript
// parser (not a text search), so the ReDoS test covers each one by construction.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './captures.ts';

export interface RegexLiteral {
  /** `parsers/csv/row.ts:17` */
  where: string;
  source: string;
  flags: string;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) sourceFiles(p, out);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Regex literals of every .ts file under `dirs` (relative to the repository root). */
export function regexLiterals(dirs: readonly string[] = ['parsers', 'src']): RegexLiteral[] {
  const found: RegexLiteral[] = [];
  for (const file of dirs.flatMap((d) => sourceFiles(join(REPO_ROOT, d))).sort()) {
    const text = readFileSync(file, 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const lit = node.getText(sf);
        const slash = lit.lastIndexOf('/');
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        found.push({ where: `${relative(REPO_ROOT, file)}:${line}`, source: lit.slice(1, slash), flags: lit.slice(slash + 1) });
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}
