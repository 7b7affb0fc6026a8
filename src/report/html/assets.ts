// The browser builds of vega, vega-lite and vega-embed, read from node_modules and
// inlined into the page so it works offline and makes no request. The packages'
// `exports` hide their build folders, so each is found beside its resolved entry.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Library {
  name: string;
  version: string;
  code: string;
}

const BUILDS: readonly { pkg: string; file: string }[] = [
  { pkg: 'vega', file: 'vega.min.js' },
  { pkg: 'vega-lite', file: 'vega-lite.min.js' },
  { pkg: 'vega-embed', file: 'vega-embed.min.js' },
];

let cached: Library[] | undefined;

function packageDir(req: NodeJS.Require, pkg: string): string {
  // The entry is <pkg>/build/<entry>.js for all three; walk up to the folder with package.json.
  let dir = dirname(req.resolve(pkg));
  for (let i = 0; i < 4; i++) {
    try {
      const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (meta.name === pkg) return dir;
    } catch {
      // not the package root yet
    }
    dir = dirname(dir);
  }
  throw new Error(`cannot find the folder of the ${pkg} package`);
}

/** vega, vega-lite, vega-embed, in load order (vega-embed reads the globals of the other two). */
export function chartLibraries(): Library[] {
  if (cached) return cached;
  const req = createRequire(import.meta.url);
  cached = BUILDS.map(({ pkg, file }) => {
    const dir = packageDir(req, pkg);
    const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    let code = readFileSync(join(dir, 'build', file), 'utf8');
    // An inline script ends at the first `</script`; a `<!--` can confuse the tokenizer. The builds hold
    // neither today; if a release does, `<\/` and `<\!--` mean the same inside a string or regex literal.
    code = code.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
    // The source map is not shipped with the page; a reference to it would be a request in devtools.
    code = code.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
    return { name: pkg, version, code };
  });
  return cached;
}
