/**
 * Child processes for the benchmark: run one command, measure its wall time and
 * its peak RSS (from `/usr/bin/time -v`, or by polling /proc/PID/status VmHWM
 * when GNU time is missing), keep its output in files.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface RunSpec {
  readonly label: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Where stdout/stderr/time output go (created). */
  readonly logDir: string;
  /** Kill the child after this many ms (default 30 minutes). */
  readonly timeoutMs?: number;
  /** Data piped to stdin. */
  readonly stdin?: string;
}

export interface RunResult {
  readonly label: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly wallMs: number;
  /** Peak resident set size in bytes, or undefined when it could not be read. */
  readonly peakRssBytes: number | undefined;
  readonly stdoutFile: string;
  readonly stderrFile: string;
  readonly stdout: string;
  readonly stderr: string;
}

let seq = 0;

/** When set, every barfill node process (label `barfill-...`) writes a CPU profile under this directory. */
let profileDir: string | undefined;
export function setProfileDir(dir: string | undefined): void {
  profileDir = dir;
}

export function hasGnuTime(): boolean {
  return existsSync(GNU_TIME);
}

function readVmHwmKb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m === null ? undefined : Number(m[1]);
  } catch {
    return undefined;
  }
}

/** Runs a command to its end; never throws for a non-zero exit (the caller decides). */
export async function runMeasured(spec: RunSpec): Promise<RunResult> {
  await mkdir(spec.logDir, { recursive: true });
  const n = ++seq;
  const base = path.join(spec.logDir, `${String(n).padStart(3, '0')}-${spec.label.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
  const stdoutFile = `${base}.stdout`;
  const stderrFile = `${base}.stderr`;
  const timeFile = `${base}.time`;
  const useTime = hasGnuTime();
  const command = useTime ? GNU_TIME : spec.command;
  // node refuses --cpu-prof in NODE_OPTIONS: it goes on the command line of barfill's node process.
  const profiled = profileDir !== undefined && spec.label.startsWith('barfill-') && spec.command === process.execPath;
  const specArgs = profiled && profileDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', profileDir, ...spec.args] : [...spec.args];
  const args = useTime ? ['-v', '-o', timeFile, spec.command, ...specArgs] : specArgs;
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const t0 = performance.now();
  const child = spawn(command, args, {
    cwd: spec.cwd ?? process.cwd(),
    env: { ...process.env, ...(spec.env ?? {}) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  child.stdin.on('error', () => undefined);
  child.stdin.end(spec.stdin ?? '');
  let polledKb: number | undefined;
  const poller =
    useTime || child.pid === undefined
      ? undefined
      : setInterval(() => {
          const kb = readVmHwmKb(child.pid!);
          if (kb !== undefined) polledKb = Math.max(polledKb ?? 0, kb);
        }, 25);
  const timer = setTimeout(() => {
    child.kill('SIGKILL');
  }, spec.timeoutMs ?? 30 * 60_000);
  const { code, signal } = await new Promise<{ code: number | null; signal: string | null }>((resolve) => {
    child.on('error', (e) => {
      err.push(Buffer.from(`spawn failed: ${e.message}\n`));
      resolve({ code: null, signal: null });
    });
    child.on('close', (c, s) => { resolve({ code: c, signal: s }); });
  });
  const wallMs = performance.now() - t0;
  clearTimeout(timer);
  if (poller !== undefined) clearInterval(poller);
  const stdout = Buffer.concat(out).toString('utf8');
  let stderr = Buffer.concat(err).toString('utf8');
  let peakKb = polledKb;
  let exitCode = code;
  if (useTime) {
    const text = existsSync(timeFile) ? await readFile(timeFile, 'utf8') : '';
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
    peakKb = m === null ? undefined : Number(m[1]);
    // GNU time exits with the child's status; "Command terminated by signal N" marks a signal.
    const sig = /Command terminated by signal (\d+)/.exec(text);
    if (sig !== null) stderr += `\n[terminated by signal ${sig[1]}]`;
    const st = /Exit status: (\d+)/.exec(text);
    if (st !== null && code !== null) exitCode = Number(st[1]);
  }
  await writeFile(stdoutFile, stdout);
  await writeFile(stderrFile, stderr);
  return {
    label: spec.label,
    exitCode,
    signal,
    wallMs,
    peakRssBytes: peakKb === undefined ? undefined : peakKb * 1024,
    stdoutFile,
    stderrFile,
    stdout,
    stderr,
  };
}

/** Runs an untimed helper command and throws (with its output) when it fails. */
export async function runChecked(spec: RunSpec): Promise<RunResult> {
  const r = await runMeasured(spec);
  if (r.exitCode !== 0) throw new Error(describeFailure(r));
  return r;
}

export function tail(text: string, lines = 15): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

export function describeFailure(r: RunResult): string {
  const how = r.signal !== null ? `signal ${r.signal}` : `exit code ${String(r.exitCode)}`;
  return `${r.label} failed (${how}); stderr tail (${r.stderrFile}):\n${tail(r.stderr)}${r.stdout.trim() === '' ? '' : `\nstdout tail:\n${tail(r.stdout, 5)}`}`;
}
