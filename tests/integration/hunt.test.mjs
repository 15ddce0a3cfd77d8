// `khien hunt` and `khien rules test` from the command line, as an analyst runs them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { cli, tempDir } from './harness.mjs';

const shared = join(dirname(fileURLToPath(import.meta.url)), '../../../shared/data');

const rule = (id, title, level, detection, logsource = '{product: windows, category: process_creation}') =>
  `title: ${title}\nid: ${id}\nstatus: test\nlevel: ${level}\ntags: [attack.execution, attack.t1059.001, detection.threat-hunting]\n` +
  `logsource: ${logsource}\ndetection:\n${detection}`;

// One Sysmon process creation (EVTX-as-JSON shape) per command line.
const sysmon = (record, time, image, commandLine) => JSON.stringify({
  Event: {
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Sysmon' } }, EventID: 1, EventRecordID: record,
      Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: 'ws-01.so-xay-dung.local',
      TimeCreated: { '#attributes': { SystemTime: time } },
    },
    EventData: { Image: image, CommandLine: commandLine, User: 'SXD\\an.nguyen' },
  },
});

function setup() {
  const dir = tempDir();
  mkdirSync(join(dir, 'rules'));
  mkdirSync(join(dir, 'logs', 'host2'), { recursive: true });
  writeFileSync(join(dir, 'rules', 'encoded.yml'), rule('11111111-0000-4000-8000-000000000001', 'Encoded PowerShell', 'high',
    `  selection:\n    Image|endswith: '\\\\powershell.exe'\n    CommandLine|contains|windash: ' -enc '\n  condition: selection\n`));
  writeFileSync(join(dir, 'rules', 'whoami.yml'), rule('11111111-0000-4000-8000-000000000002', 'Whoami', 'low',
    `  selection:\n    Image|endswith: '\\\\whoami.exe'\n  condition: selection\n`));
  const lines = [
    sysmon(1, '2026-11-20T01:00:00.000001Z', 'C:\\Windows\\System32\\whoami.exe', 'whoami /all'),
    sysmon(2, '2026-11-21T02:00:00.000002Z', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 'powershell /enc SQBFAFgA'),
    sysmon(3, '2026-11-22T03:00:00.000003Z', 'C:\\Windows\\notepad.exe', 'notepad'),
  ];
  writeFileSync(join(dir, 'logs', 'a.jsonl'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'logs', 'host2', 'b.json.gz'), gzipSync(`[${lines[1]}]`));
  writeFileSync(join(dir, 'logs', 'host2', 'broken.evtx'), 'ElfFile\0 but nothing else');
  writeFileSync(join(dir, 'logs', 'notes.txt'), 'not a log; not read');
  return dir;
}

test('hunt writes one JSON line per match, in file and record order, and reports what it cannot read', () => {
  const dir = setup();
  try {
    const args = ['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'logs'), '--format', 'jsonl'];
    const r = cli(args);
    assert.equal(r.code, 0, r.stderr);
    const matches = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(matches.map((m) => [m.title, m.record_id]), [['Whoami', 1], ['Encoded PowerShell', 2], ['Encoded PowerShell', 2]]);
    const m = matches[1];
    assert.equal(m.rule_id, '11111111-0000-4000-8000-000000000001');
    assert.equal(m.level, 'high');
    assert.equal(m.status, 'test');
    assert.deepEqual(m.tags, ['attack.execution', 'attack.t1059.001']);
    assert.equal(m.time, '2026-11-21T02:00:00.000002Z');
    assert.equal(m.computer, 'ws-01.so-xay-dung.local');
    assert.equal(m.channel, 'Microsoft-Windows-Sysmon/Operational');
    assert.equal(m.event_id, 1);
    assert.match(m.file, /a\.jsonl$/);
    assert.equal(m.fields.CommandLine, 'powershell /enc SQBFAFgA');
    assert.match(matches[2].file, /b\.json\.gz$/);
    // The broken file is named with its reason; the summary counts what was read.
    assert.match(r.stderr, /broken\.evtx: .+/);
    assert.match(r.stderr, /hunt: 3 files \([0-9.]+ MB, 1 unreadable, 0 skipped\), 4 events/);
    assert.match(r.stderr, /matches: 3 \(high 2, low 1\)/);
    // The same output whatever the number of threads.
    assert.equal(cli([...args, '--threads', '1']).stdout, r.stdout);
    assert.equal(cli([...args, '--threads', '3']).stdout, r.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hunt filters by level and time, writes CSV and tables, and fails on a match when asked', () => {
  const dir = setup();
  try {
    const base = ['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'logs', 'a.jsonl')];
    let r = cli([...base, '--format', 'jsonl', '--min-level', 'high']);
    assert.equal(r.stdout.trim().split('\n').length, 1);
    assert.match(r.stderr, /1 below --min-level/);
    r = cli([...base, '--format', 'jsonl', '--from', '2026-11-21T00:00:00Z', '--to', '2026-11-21T23:59:59Z']);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l).record_id), [2]);
    r = cli([...base, '--format', 'csv']);
    const csv = r.stdout.trim().split('\n');
    assert.equal(csv[0], 'time,level,rule_id,title,status,tags,computer,channel,event_id,record_id,file,fields');
    assert.equal(csv.length, 3);
    assert.match(csv[2], /^2026-11-21T02:00:00\.000002Z,high,11111111-0000-4000-8000-000000000001,Encoded PowerShell,test,attack\.execution attack\.t1059\.001,/);
    r = cli([...base]);
    assert.match(r.stdout, /^time +level +rule +computer +event +file#record\n/);
    assert.match(r.stdout, /high +Encoded PowerShell .* ws-01\.so-xay-dung\.local +1  a\.jsonl#2/);
    const out = join(dir, 'out.jsonl');
    r = cli([...base, '--format', 'jsonl', '--output', out, '--fail-on-match']);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 2);
    writeFileSync(join(dir, 'quiet.jsonl'), sysmon(9, '2026-11-22T03:00:00Z', 'C:\\Windows\\notepad.exe', 'notepad') + '\n');
    assert.equal(cli(['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'quiet.jsonl'), '--fail-on-match']).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hunt refuses bad usage with exit 2 and a clear message', () => {
  const dir = setup();
  try {
    const rules = join(dir, 'rules');
    let r = cli(['hunt', '--rules', rules, '--input', join(dir, 'missing')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing: no such file or directory/);
    r = cli(['hunt', '--rules', rules, '--input', join(dir, 'logs'), '--format', 'xml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--format must be jsonl, csv or table/);
    r = cli(['hunt', '--rules', rules, '--input', join(dir, 'logs'), '--from', 'yesterday']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'yesterday' is not a time/);
    r = cli(['hunt', '--rules', rules, '--input', join(dir, 'logs'), '--min-level', 'severe']);
    assert.equal(r.code, 2);
    writeFileSync(join(dir, 'bad-mapping.yml'), 'logsources: 3\n');
    r = cli(['hunt', '--rules', rules, '--input', join(dir, 'logs'), '--mapping', join(dir, 'bad-mapping.yml')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad-mapping\.yml: logsources: expected a list/);
    // A rule that cannot be compiled is named with the reason; the others still run.
    writeFileSync(join(dir, 'rules', 'backref.yml'), rule('11111111-0000-4000-8000-000000000003', 'Backreference', 'medium',
      `  selection:\n    CommandLine|re: '(a)\\1'\n  condition: selection\n`));
    r = cli(['hunt', '--rules', rules, '--input', join(dir, 'logs', 'a.jsonl'), '--format', 'jsonl']);
    assert.equal(r.code, 0);
    assert.match(r.stderr, /rule not loaded: .*backref\.yml \(11111111-0000-4000-8000-000000000003\): 'CommandLine': regular expression '\(a\)\\1' is taken neither by Vectorscan nor by RE2/);
    assert.equal(r.stdout.trim().split('\n').length, 2);
    assert.equal(cli(['hunt', '--help']).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hunt over the EVTX attack samples with every Windows rule of SigmaHQ',
  { skip: existsSync(join(shared, 'evtx')) ? false : `no samples at ${shared} (../shared/data is absent)` }, () => {
    const r = cli(['hunt', '--rules', join(shared, 'sigma/rules/windows'), '--input', join(shared, 'evtx/EVTX-ATTACK-SAMPLES'),
      '--format', 'jsonl', '--min-level', 'high']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /hunt: 277 files \([0-9.]+ MB, 0 unreadable, \d+ skipped\)/);
    assert.doesNotMatch(r.stderr, /rule not loaded/);
    const matches = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.ok(matches.length > 400, String(matches.length));
    assert.ok(matches.some((m) => m.title === 'Security Eventlog Cleared' && m.event_id === 1102));
  });

test('rules test runs SigmaHQ\'s regression samples',
  { skip: existsSync(join(shared, 'sigma/regression_data')) ? false : `no regression data at ${shared} (../shared/data is absent)` }, () => {
    const r = cli(['rules', 'test', join(shared, 'sigma')]);
    // Two samples' info.yml count fewer matches than their events hold (see sigma_regression_test.cpp).
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /regression: 104 samples, 102 passed, 2 failed\n$/);
    assert.match(r.stdout, /FAIL Cred Dump Tools Dropped Files \(8fbf3271-1ef6-4e94-8210-03c2317947f6\): expected 1 matches, got 3/);
    assert.match(r.stdout, /FAIL Disable Administrative Share Creation at Startup \(c7dcacd0-cc59-4004-b0a4-1d6cdebe6f3e\): expected 1 matches, got 2/);
  });
