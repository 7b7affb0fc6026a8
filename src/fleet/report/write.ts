import type { CliIO } from '../../cli/io.ts';
export async function writeFleetReport(_dataset: string, _dir: string, _io: CliIO): Promise<string> {
  throw new Error('not yet');
}
