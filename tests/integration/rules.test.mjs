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
  // Every rule parses and compiles, the deprecated Sigma 1 aggregation as a correlation.
  assert.equal(r.code, 0, r.stdout);
  // Placeholders without values are noted, not refused.
  assert.match(r.stdout, /note: .*win_security_admin_logon\.yml .*placeholder %Admins_Workstations% has no values/);
  const [, loaded] = r.stdout.match(/rules: (\d+) loaded, 0 not loaded\n$/);
  assert.ok(Number(loaded) > 3500, loaded);
});

test('rules check loads each rule under unsupported/ or says why not', { skip: existsSync(sigma) ? false : `no Sigma rules at ${sigma} (../shared/data is absent)` }, () => {
  const r = cli(['rules', 'check', join(sigma, 'unsupported')]);
  const lines = r.stdout.trim().split('\n');
  const [, loaded, refused] = lines.pop().match(/^rules: (\d+) loaded, (\d+) not loaded$/);
  // The Sigma 1 aggregations load as correlations; what is left names a reason each.
  assert.ok(Number(loaded) > 100, loaded);
  const reasons = lines.filter((l) => !l.startsWith('note: '));
  assert.equal(reasons.length, Number(refused));
  for (const l of reasons) assert.match(l, /\.yml( \([^)]*\))?: \S.*$/);
  assert.ok(reasons.some((l) => /'near' is not supported; write a temporal correlation rule/.test(l)));
  assert.ok(!reasons.some((l) => /needs correlation|count\(\.\.\.\)/.test(l)), 'count() aggregations load');
});
