import { describe, expect, it } from 'vitest';
import { barfillHome } from './home.js';

describe('barfillHome', () => {
  it('BARFILL_HOME wins, relative to the working directory', () => {
    expect(barfillHome({ BARFILL_HOME: 'store', XDG_DATA_HOME: '/x', HOME: '/h' }, '/work')).toBe('/work/store');
    expect(barfillHome({ BARFILL_HOME: '/abs' }, '/work')).toBe('/abs');
  });
  it('else $XDG_DATA_HOME/barfill (absolute only), else ~/.local/share/barfill, whatever the working directory', () => {
    expect(barfillHome({ XDG_DATA_HOME: '/x', HOME: '/h' }, '/a')).toBe('/x/barfill');
    expect(barfillHome({ BARFILL_HOME: '', XDG_DATA_HOME: 'relative', HOME: '/h' }, '/a')).toBe('/h/.local/share/barfill');
    expect(barfillHome({ HOME: '/h' }, '/b')).toBe('/h/.local/share/barfill');
  });
});
