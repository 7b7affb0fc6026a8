// The floor of the text path in this runtime: a whole process that reads a plain file
// the way `check` does (1 MB chunks read ahead into reused buffers) and splits it into
// lines, doing nothing with them. `check` cannot run faster than this on one thread.
//   tsx src/bench/split-floor.ts FILE   -> prints the line count
import { openInput } from '../../parsers/common/input.ts';
import { LineSplitter } from '../../parsers/common/line-splitter.ts';

export async function splitOnly(file: string): Promise<number> {
  let longest = 0;
  const splitter = new LineSplitter({
    // Touches each line, so the call is not optimised away.
    line: (_buf, start, end) => {
      if (end - start > longest) longest = end - start;
    },
    tooLong: () => undefined,
  });
  for await (const chunk of openInput(file, { reuseBuffers: true })) splitter.write(chunk);
  splitter.end();
  return splitter.lines;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  console.log(await splitOnly(process.argv[2]!));
}
