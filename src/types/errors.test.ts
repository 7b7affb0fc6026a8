import { describe, expect, it } from 'vitest';
import { InputError } from '../../parsers/common/input.ts';
import { EXIT_CODES, errorCodeOf, ReaplayError, UserError } from './errors.ts';
import { parseCapability } from '../replay/capabilities.ts';
import { resolveProfile } from '../replay/kernel.ts';

describe('error codes', () => {
  it('reads the code of our errors and of input errors, not of others', () => {
    expect(errorCodeOf(new UserError('x'))).toBe('usage');
    expect(errorCodeOf(new ReaplayError('no_such_victim', 'x'))).toBe('no_such_victim');
    expect(errorCodeOf(new InputError('f', 'x', 'bad_compression'))).toBe('bad_compression');
    expect(errorCodeOf(new Error('kernel version'))).toBeUndefined();
    expect(errorCodeOf(Object.assign(new Error('x'), { code: 'ENOENT' }))).toBeUndefined();
    expect(errorCodeOf({ code: 'usage' })).toBeUndefined();
  });

  it('bad versions and capabilities carry their codes, mapped to exit code 2', () => {
    const kernel = (() => { try { resolveProfile({ version: 'five' }); } catch (e) { return e; } })();
    const cap = (() => { try { parseCapability('nope=1'); } catch (e) { return e; } })();
    expect(errorCodeOf(kernel)).toBe('bad_kernel_version');
    expect(errorCodeOf(cap)).toBe('bad_capability');
    expect(EXIT_CODES.bad_kernel_version).toBe(2);
  });
});
