import path from 'node:path';

/** Where embedded engines keep their data: `BARFILL_HOME`, default `./.barfill`. */
export function barfillHome(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  const home = env['BARFILL_HOME'];
  return path.resolve(cwd, home !== undefined && home !== '' ? home : '.barfill');
}
