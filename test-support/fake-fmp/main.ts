/**
 * Runs the fake FMP server by hand:
 *   node dist/test-support/fake-fmp/main.js --port 8089 [--latency-ms N] [--rate-limit N] [--row-cap N] [--extended-hours]
 * then point barfill at it with FMP_BASE_URL=http://127.0.0.1:8089 FMP_API_KEY=test-key.
 */
import { parseArgs } from 'node:util';
import { startFakeFmp } from './server.js';

function intFlag(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    process.stderr.write(`--${name}: expected a whole number, got '${value}'\n`);
    process.exit(2);
  }
  return Number(value);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8089' },
      host: { type: 'string', default: '127.0.0.1' },
      'latency-ms': { type: 'string' },
      'rate-limit': { type: 'string' },
      'row-cap': { type: 'string' },
      key: { type: 'string', default: 'test-key' },
      'extended-hours': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'usage: fake-fmp [--port 8089] [--host 127.0.0.1] [--latency-ms N] [--rate-limit N (per minute)] [--row-cap N] [--key test-key] [--extended-hours]\n',
    );
    return;
  }
  const latencyMs = intFlag('latency-ms', values['latency-ms']);
  const rateLimit = intFlag('rate-limit', values['rate-limit']);
  const rowCap = intFlag('row-cap', values['row-cap']);
  const fake = await startFakeFmp({
    port: intFlag('port', values.port) ?? 8089,
    host: values.host,
    validKeys: [values.key],
    extendedHours: values['extended-hours'],
    ...(latencyMs === undefined ? {} : { latencyMs }),
    ...(rateLimit === undefined ? {} : { rateLimitPerMinute: rateLimit }),
    ...(rowCap === undefined ? {} : { rowCap }),
  });
  process.stdout.write(`fake FMP listening on ${fake.url}\n`);
  process.stdout.write(`use: FMP_BASE_URL=${fake.url} FMP_API_KEY=${values.key}\n`);
  process.stdout.write('symbols starting with ZZ have no data; Ctrl-C stops\n');
  const stop = (): void => {
    process.stdout.write(`\n${fake.stats.requests} requests, ${fake.stats.rateLimited} answered 429\n`);
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-fmp: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
