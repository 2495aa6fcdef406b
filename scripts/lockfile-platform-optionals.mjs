#!/usr/bin/env node
// Adds the platform-specific optional packages npm leaves out of package-lock.json
// (npm/cli#4828, #8320): without their records `npm ci` refuses the lockfile
// ("Missing: @duckdb/node-bindings-darwin-arm64@ from lock file").
// Run after `npm install` changes the lockfile: node scripts/lockfile-platform-optionals.mjs
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [where, meta] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (pkgs[key] !== undefined) continue;
    let entry;
    try {
      const view = JSON.parse(execFileSync('npm', ['view', `${name}@${version}`, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      const v = Array.isArray(view) ? view[view.length - 1] : view;
      entry = { version: v.version, resolved: v.dist.tarball, integrity: v.dist.integrity };
      for (const f of ['cpu', 'os', 'libc', 'license', 'engines']) if (v[f] !== undefined) entry[f] = v[f];
    } catch {
      // The registry in use does not serve this platform's build: record its platform from the name, so that
      // npm ci on other platforms skips it (it is never fetched where it does not match).
      const platform = platformOf(name);
      if (platform === undefined) throw new Error(`${name}@${version}: not in the registry and no platform in its name`);
      entry = { version, ...platform };
    }
    entry.optional = true;
    pkgs[key] = entry;
    added += 1;
    console.log(`added ${key}@${entry.version} (for ${where || 'the root'})`);
  }
}
function platformOf(name) {
  const m = /-(darwin|linux|win32|freebsd|android)-(x64|arm64|arm|ia32)(?:-(gnu|musl|msvc|gnueabihf|eabi))?$/.exec(name);
  if (m === null) return undefined;
  const out = { cpu: [m[2]], os: [m[1]] };
  if (m[3] === 'musl') out.libc = ['musl'];
  if (m[3] === 'gnu' || m[3] === 'gnueabihf') out.libc = ['glibc'];
  return out;
}

const sorted = Object.fromEntries(Object.entries(pkgs).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`${added} record(s) added`);
