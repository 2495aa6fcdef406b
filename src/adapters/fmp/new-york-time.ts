// America/New_York time lives in the kernel (the gap report needs it too).
export { dstBoundsUtc, isNewYorkDst, newYorkOffsetMs, newYorkToUtcMs, tryNewYorkToUtcMs, utcMsToNewYork } from '../../kernel/new-york-time.js';
