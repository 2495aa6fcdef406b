import { describe, expect, it } from 'vitest';
import { requirePrerequisite } from './servers.js';

describe('requirePrerequisite (BARFILL_REQUIRE_SERVERS)', () => {
  it('runs a test whose prerequisite is there', () => {
    expect(requirePrerequisite('script', true, true)).toBe(true);
    expect(requirePrerequisite('script', true, false)).toBe(true);
  });
  it('skips when the prerequisite is missing and not required', () => {
    expect(requirePrerequisite('script', false, false)).toBe(false);
  });
  it('fails, naming it, when the prerequisite is missing and required (CI never skips)', () => {
    expect(() => requirePrerequisite('script (bsdutils)', false, true)).toThrow(
      'script (bsdutils) is required (BARFILL_REQUIRE_SERVERS=1) but is missing: CI must run this test, not skip it',
    );
  });
});
