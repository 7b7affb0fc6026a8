import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { skipHelpCache } from './help-cache.ts';

describe('skipHelpCache', () => {
  it("finds yargs' hook (a yargs without it would render the help on every run again)", async () => {
    let rendered = 0;
    const parser = yargs(['go', 'x']).exitProcess(false).command('go <a>', 'a command', (y) => y.positional('a', { type: 'string' }), () => undefined);
    const usage = (parser as unknown as { getInternalMethods(): { getUsageInstance(): { help(): string } } }).getInternalMethods().getUsageInstance();
    const help = usage.help.bind(usage);
    usage.help = () => {
      rendered++;
      return help();
    };
    expect(skipHelpCache(parser)).toBe(true);
    await parser.parseAsync();
    expect(rendered).toBe(0);
  });
  it('leaves --help working', async () => {
    let out = '';
    const parser = yargs(['go', '--help']).exitProcess(false).help().command('go <a>', 'a command', (y) => y.positional('a', { type: 'string' }), () => undefined);
    skipHelpCache(parser);
    await parser.parseAsync(['go', '--help'], {}, (_e, _a, o) => {
      out = o;
    });
    expect(out).toContain('a command');
  });
});
