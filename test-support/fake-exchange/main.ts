/**
 * Runs the fake exchange by hand:
 *   node dist/test-support/fake-exchange/main.js --port 8090 [--now 2025-04-15T10:00:00Z] [--missing spot/BTCUSDT-1m-2024-03-05] ...
 * Archive under /data/..., Binance under /api/v3 and /fapi/v1, Bybit under /v5, all on one port.
 */
import { FakeExchangeUsageError, USAGE, parseFakeExchangeArgs } from './cli-options.js';
import { startFakeExchange } from './server.js';

async function main(): Promise<void> {
  const { help, options } = parseFakeExchangeArgs(process.argv.slice(2), Date.now);
  if (help) {
    process.stdout.write(USAGE);
    return;
  }
  const fake = await startFakeExchange(options);
  process.stdout.write(`fake exchange listening on ${fake.url}\n`);
  process.stdout.write(`archive: ${fake.url}/data/spot/daily/klines/BTCUSDT/1m/BTCUSDT-1m-2024-03-05.zip\n`);
  process.stdout.write(`binance: ${fake.url}/api/v3/klines?symbol=BTCUSDT&interval=1m (USD-M: /fapi/v1/klines)\n`);
  process.stdout.write(`bybit:   ${fake.url}/v5/market/kline?category=spot&symbol=BTCUSDT&interval=1\n`);
  process.stdout.write('symbols: BTCUSDT, ETHUSDT, NEWUSDT (listed 2025-03-15T08:30Z); Ctrl-C stops\n');
  const stop = (): void => {
    const s = fake.stats;
    process.stdout.write(`\n${s.requests} requests, statuses ${JSON.stringify(s.statuses)}, bans ${JSON.stringify(s.bans)}\n`);
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-exchange: ${err instanceof Error ? err.message : String(err)}\n`);
  if (err instanceof FakeExchangeUsageError) process.stderr.write(USAGE);
  process.exit(err instanceof FakeExchangeUsageError ? 2 : 1);
});
