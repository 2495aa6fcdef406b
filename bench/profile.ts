/**
 * Where barfill's main thread spends a run: every barfill process of the
 * profile pass runs with `node --cpu-prof`, and each
 * profile is reduced to the share of idle time (waiting for the database or
 * the disk), garbage collection, and the functions with the most self time.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  readonly idleMs: number;
  readonly gcMs: number;
  /** Functions by self time, most first: `name (file:line)` and ms. */
  readonly top: readonly { readonly name: string; readonly ms: number }[];
}

/** Sums every `.cpuprofile` under `dir` (one barfill process, or several of one case). */
export async function summarizeProfiles(dir: string, topN = 8): Promise<ProfileSummary | undefined> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return undefined;
  }
  if (files.length === 0) return undefined;
  const self = new Map<string, number>();
  let total = 0;
  for (const f of files) {
    const p = JSON.parse(await readFile(path.join(dir, f), 'utf8')) as CpuProfile;
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    p.samples.forEach((id, i) => {
      const dt = (p.timeDeltas[i] ?? 0) / 1000;
      total += dt;
      const n = byId.get(id);
      if (n === undefined) return;
      const { functionName, url, lineNumber } = n.callFrame;
      const where = url === '' ? '' : ` (${shortUrl(url)}:${lineNumber + 1})`;
      const key = `${functionName === '' ? '(anonymous)' : functionName}${where}`;
      self.set(key, (self.get(key) ?? 0) + dt);
    });
  }
  const idle = self.get('(idle)') ?? 0;
  const gc = self.get('(garbage collector)') ?? 0;
  const top = [...self.entries()]
    .filter(([k]) => k !== '(idle)' && k !== '(garbage collector)' && k !== '(root)')
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([name, ms]) => ({ name, ms }));
  return { totalMs: total, idleMs: idle, gcMs: gc, top };
}

/** `dist/src/application/use-cases/backfill-1m.js` from a file URL; node internals and packages by name. */
function shortUrl(url: string): string {
  const s = url.replace(/^file:\/\//, '');
  const dist = s.indexOf('/dist/');
  if (dist >= 0) return s.slice(dist + 1);
  const nm = s.lastIndexOf('/node_modules/');
  if (nm >= 0) return s.slice(nm + '/node_modules/'.length);
  return s;
}

export function describeProfile(id: string, s: ProfileSummary): string {
  const pct = (ms: number): string => `${((100 * ms) / s.totalMs).toFixed(0)} %`;
  const busy = s.totalMs - s.idleMs;
  const top = s.top.map((t) => `${t.name} ${pct(t.ms)}`).join('; ');
  return (
    `${id}: main thread ${(s.totalMs / 1000).toFixed(1)} s sampled, ${pct(s.idleMs)} idle (waiting for the database, the network or the disk), ` +
    `${pct(busy)} busy, of which garbage collection ${pct(s.gcMs)}; most self time: ${top}`
  );
}
