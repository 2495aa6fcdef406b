import path from 'node:path';
import type { StderrLogger } from '../../../src/adapters/node/stderr-logger.js';
import { AtomicFile } from '../../../src/adapters/csv/atomic-file.js';
import { InputError } from '../../../src/kernel/errors.js';
import { summaryLine, type RunSummary } from '../../../src/application/use-cases/backfill-bars.js';
import type { ParsedFlags } from '../main/args.js';
import type { CommandContext } from '../main/context.js';

export { commandLogger as equitiesLogger } from './shared.js';

/** Logs the summary line, writes --summary-json, and returns the exit code. */
export async function finishRun(
  ctx: CommandContext,
  flags: ParsedFlags,
  logger: StderrLogger,
  summary: RunSummary,
  unitName: 'tickers' | 'files',
): Promise<number> {
  logger.info(summaryLine(summary, unitName));
  const target = flags.string('summary-json');
  if (target === '-') ctx.stdout(`${JSON.stringify(summary)}\n`);
  else if (target !== undefined) await writeAtomically(path.resolve(ctx.cwd, target), `${JSON.stringify(summary, null, 2)}\n`);
  // The summary is out; now the export's failure, as the run's last line (exit 1).
  if (summary.output_error !== undefined) throw new InputError(summary.output_error);
  if (summary.interrupted) {
    const reason: unknown = ctx.signal.reason;
    throw reason instanceof Error ? reason : new Error('interrupted');
  }
  return summary.failed > 0 || summary.rejected > 0 ? 1 : 0;
}

/** The summary file: written like every file barfill writes (temporary file, mode 0644, rename; no link followed). */
async function writeAtomically(file: string, text: string): Promise<void> {
  const out = await AtomicFile.create(file, '--summary-json');
  try {
    await out.write(text);
    await out.commit();
  } catch (err) {
    await out.abort().catch(() => undefined);
    throw err;
  }
}
