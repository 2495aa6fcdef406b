import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UsageError, errorMessage } from '../../kernel/errors.js';

/**
 * Expands `--parquet` arguments into a list of files. A file is taken as given
 * (whatever its extension); a directory is searched recursively for `*.parquet`
 * files (case-insensitive extension; other files ignored), sorted by path.
 * Order: the arguments' order, each directory's files sorted; duplicates dropped.
 */
export async function expandParquetPaths(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) throw new UsageError('--parquet: at least one file or directory is required');
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    let isDir: boolean;
    try {
      const st = await stat(p);
      if (!st.isFile() && !st.isDirectory()) throw new UsageError(`--parquet: '${p}' is neither a file nor a directory`);
      isDir = st.isDirectory();
    } catch (err) {
      if (err instanceof UsageError) throw err;
      const code = (err as { code?: unknown }).code;
      const reason = code === 'ENOENT' ? 'does not exist' : `cannot be read (${errorMessage(err)})`;
      throw new UsageError(`--parquet: '${p}' ${reason}`);
    }
    const files = isDir ? await listParquetFiles(p) : [p];
    if (isDir && files.length === 0) throw new UsageError(`--parquet: directory '${p}' contains no .parquet file`);
    for (const f of files) {
      const key = path.resolve(f);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(f);
    }
  }
  return out;
}

async function listParquetFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { recursive: true, withFileTypes: true });
  } catch (err) {
    throw new UsageError(`--parquet: directory '${dir}' cannot be read (${errorMessage(err)})`);
  }
  const files: string[] = [];
  for (const e of entries) {
    if (!e.isFile() || !e.name.toLowerCase().endsWith('.parquet')) continue;
    // Node 20 names the containing directory `parentPath` (20.12+) or `path`.
    const parent = (e as { parentPath?: string }).parentPath ?? (e as { path?: string }).path ?? dir;
    files.push(path.join(parent, e.name));
  }
  return files.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
