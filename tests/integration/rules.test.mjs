// `khien rules check`: every rule loaded or named with the reason it cannot be, and the count.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli, tempDir } from './harness.mjs';

const sigma = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data/sigma');

test('rules check names each rule that cannot be loaded and why, and exits 1', () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'windows'));
    writeFileSync(join(dir, 'windows', 'good.yml'), `title: Encoded PowerShell
id: 0b3f2c1d-0000-4000-8000-000000000001
level: high
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\\\\powershell.exe'
    CommandLine|contains: ' -enc '
  condition: selection
`);
    writeFileSync(join(dir, 'windows', 'typo.yml'), `title: Typo
logsource: {product: windows}
detection:
  selection:
    Image|endwith: 'x.exe'
  condition: selection
`);
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
    let r = cli(['rules', 'check', dir]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /typo\.yml: detection\.selection: unknown modifier 'endwith' in 'Image\|endwith'/);
    assert.match(r.stdout, /rules: 1 loaded, 1 not loaded\n$/);
    r = cli(['rules', 'check', join(dir, 'windows', 'good.yml')]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'rules: 1 loaded, 0 not loaded\n');
    assert.equal(cli(['rules', 'check', join(dir, 'missing')]).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rules check loads every SigmaHQ rule', { skip: existsSync(sigma) ? false : `no Sigma rules at ${sigma} (../shared/data is absent)` }, () => {
  const r = cli(['rules', 'check', join(sigma, 'rules'), join(sigma, 'rules-threat-hunting'), join(sigma, 'rules-emerging-threats'),
    join(sigma, 'rules-compliance'), join(sigma, 'rules-dfir'), join(sigma, 'rules-placeholder'), join(sigma, 'deprecated')]);
  // Every rule parses and compiles, but one: a deprecated Sigma 1 aggregation, named with the
  // reason until correlation rules are evaluated.
  assert.equal(r.code, 1, r.stdout);
  assert.match(r.stdout, /generic_brute_force\.yml \(53c7cca0-2901-493a-95db-d00d6fcf0a37\): the aggregation '\| count\(\.\.\.\)' needs correlation/);
  // Placeholders without values are noted, not refused.
  assert.match(r.stdout, /note: .*win_security_admin_logon\.yml .*placeholder %Admins_Workstations% has no values/);
  const [, loaded] = r.stdout.match(/rules: (\d+) loaded, 1 not loaded\n$/);
  assert.ok(Number(loaded) > 3500, loaded);
});
