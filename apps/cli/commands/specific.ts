export { specificCommand } from './fmp-backfill.js';
