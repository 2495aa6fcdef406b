import type { RandomAccessFile } from '../src/adapters/parquet/pages/column-pages.js';

/** A Parquet page reader's file, in memory. */
export function memoryFile(data: Uint8Array): RandomAccessFile {
  return {
    read: (position, length) => Promise.resolve(data.slice(position, position + length)),
    readInto: (target, position) => {
      target.set(data.subarray(position, position + target.length));
      return Promise.resolve();
    },
  };
}
