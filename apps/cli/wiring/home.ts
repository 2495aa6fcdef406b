import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { StoreNotFoundError } from '../../../src/kernel/errors.js';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Where embedded engines keep their data: `BARFILL_HOME` (relative to the
 * working directory), else one place per user whatever the working directory:
 * `$XDG_DATA_HOME/barfill` (an absolute XDG_DATA_HOME only, as the XDG spec
 * says), else `~/.local/share/barfill`.
 */
export function barfillHome(env: Env, cwd: string): string {
  const home = env['BARFILL_HOME'];
  if (home !== undefined && home !== '') return path.resolve(cwd, home);
  return path.join(userDataDir(env), 'barfill');
}

function userDataDir(env: Env): string {
  const xdg = env['XDG_DATA_HOME'];
  if (xdg !== undefined && path.isAbsolute(xdg)) return xdg;
  const user = env['HOME'];
  return path.join(user !== undefined && path.isAbsolute(user) ? user : homedir(), '.local', 'share');
}

/**
 * Readers never create a store: throws StoreNotFoundError, naming the path and
 * how to point elsewhere, when the embedded store `dir` does not exist.
 */
export function requireExistingStore(dir: string, store: string, serverHint: string): void {
  if (existsSync(dir)) return;
  throw new StoreNotFoundError(
    `no ${store} at ${dir}: nothing has been stored under ${path.dirname(dir)} (created nothing); ` +
      `set BARFILL_HOME to the directory holding your store, or ${serverHint} to use a server`,
    dir,
  );
}
