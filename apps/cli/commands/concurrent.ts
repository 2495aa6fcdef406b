export { concurrentCommand } from './fmp-backfill.js';
