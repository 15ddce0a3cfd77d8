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

test('hunt and rules check speak Vietnamese when the environment asks for it, numbers written the Vietnamese way', () => {
  const dir = setup();
  try {
    const vi = { LC_ALL: '', LC_MESSAGES: '', LANG: 'vi_VN.UTF-8' };
    const args = ['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'logs'), '--format', 'table'];
    const r = cli(args, { env: vi });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^thời điểm +mức +quy tắc +máy +sự kiện +tệp#bản ghi\n/);
    assert.match(r.stderr, /săn tìm: 3 tệp \([0-9,]+ MB, 1 không đọc được, 0 bỏ qua\), 4 sự kiện trong [0-9]+,[0-9]{2} giây/);
    assert.match(r.stderr, /quy tắc: 2 đã nạp, 2 được dùng và 0 quy tắc tương quan/);
    assert.match(r.stderr, /kết quả khớp: 3 \(high 2, low 1\)/);
    // LC_ALL comes before LANG; the same matches whatever the language.
    const en = cli(args, { env: { LC_ALL: 'en_GB.UTF-8', LANG: 'vi_VN.UTF-8' } });
    assert.match(en.stderr, /hunt: 3 files \([0-9.]+ MB, 1 unreadable, 0 skipped\), 4 events in [0-9]+\.[0-9]{2} s/);
    assert.deepEqual(en.stdout.split('\n').slice(1), r.stdout.split('\n').slice(1));
    const bad = cli(['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'logs'), '--format', 'xml'], { env: vi });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "khien: --format phải là jsonl, csv hoặc table, không phải 'xml'\n");
    const check = cli(['rules', 'check', join(dir, 'rules')], { env: vi });
    assert.equal(check.stdout, 'quy tắc: 2 đã nạp, 0 không nạp được\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hunt reads a JSON file whole when its first event is from a channel no rule wants', () => {
  // Only an EVTX log holds one channel: a JSON file mixes them, and its first line says nothing of the rest.
  const dir = setup();
  try {
    const application = JSON.stringify({ Provider_Name: 'MsiInstaller', EventID: '1033', Channel: 'Application', Computer: 'ws-01' });
    const lines = readFileSync(join(dir, 'logs', 'a.jsonl'), 'utf8');
    writeFileSync(join(dir, 'mixed.jsonl'), `${application}\n${lines}`);
    const r = cli(['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'mixed.jsonl'), '--format', 'jsonl']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l).record_id), [1, 2]);
    assert.match(r.stderr, /hunt: 1 files \([0-9.]+ MB, 0 unreadable, 0 skipped\), 4 events/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hunt writes a time before 1970 and values with quotes, backslashes and control characters as JSON', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'whoami.yml'), rule('11111111-0000-4000-8000-000000000002', 'Whoami', 'low',
      `  selection:\n    Image|endswith: '\\\\whoami.exe'\n    CommandLine|contains: '/all'\n  condition: selection\n`));
    const commandLine = 'whoami\t/all "x" \\y \u0001 é';
    writeFileSync(join(dir, 'a.jsonl'), sysmon(7, '1969-12-31T23:59:58.5Z', 'C:\\Windows\\System32\\whoami.exe', commandLine) + '\n');
    const r = cli(['hunt', '--rules', join(dir, 'whoami.yml'), '--input', join(dir, 'a.jsonl'), '--format', 'jsonl']);
    assert.equal(r.code, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.equal(m.time, '1969-12-31T23:59:58.500000Z');
    assert.equal(m.fields.Image, 'C:\\Windows\\System32\\whoami.exe');
    assert.equal(m.fields.CommandLine, commandLine);
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

test('hunt skips an EVTX file whose first records no rule wants, unless --all-files, and loses no match by it',
  { skip: existsSync(join(shared, 'evtx')) ? false : `no samples at ${shared} (../shared/data is absent)` }, () => {
    const lateral = join(shared, 'evtx/EVTX-ATTACK-SAMPLES/Lateral Movement');
    // A log saved from a view over Sysmon and Security, Sysmon first: the Security rules read it whole.
    const security = ['hunt', '--rules', join(shared, 'sigma/rules/windows/builtin/security'), '--input', lateral, '--format', 'jsonl'];
    const view = cli(security);
    assert.equal(view.code, 0, view.stderr);
    assert.match(view.stdout, /"title":"First Time Seen Remote Named Pipe".*ImpersonateUser-via local Pass The Hash Sysmon and Security\.evtx/);
    assert.equal(cli([...security, '--all-files']).stdout, view.stdout);

    // Sysmon's file rules: the logs of other channels with more than 100 records are skipped.
    const args = ['hunt', '--rules', join(shared, 'sigma/rules/windows/file/file_event'), '--input',
      join(shared, 'evtx/EVTX-ATTACK-SAMPLES'), '--format', 'jsonl'];
    const summary = /hunt: (\d+) files \([0-9.]+ MB, 0 unreadable, (\d+) skipped\), ([0-9,]+) events/;
    const some = cli(args);
    assert.equal(some.code, 0, some.stderr);
    const [, files, skipped, events] = some.stderr.match(summary);
    assert.ok(Number(skipped) > 0 && Number(skipped) < Number(files), some.stderr);
    assert.match(some.stderr, new RegExp(`skipped: ${skipped} EVTX files whose first 100 records are all from one channel no rule wants`));
    const all = cli([...args, '--all-files']);
    assert.equal(all.code, 0, all.stderr);
    const [, filesAll, skippedAll, eventsAll] = all.stderr.match(summary);
    assert.equal(filesAll, files);
    assert.equal(skippedAll, '0');
    assert.ok(Number(eventsAll.replaceAll(',', '')) > Number(events.replaceAll(',', '')), `${eventsAll} <= ${events}`);
    // The files skipped hold nothing the rules want: the matches are the same.
    assert.equal(all.stdout, some.stdout);
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

// Security log events (EVTX-as-JSON shape): failed (4625) and successful (4624) logons.
const logon = (record, time, id, user, ip = '10.0.0.9') => JSON.stringify({
  Event: {
    System: {
      Provider: { '#attributes': { Name: 'Microsoft-Windows-Security-Auditing' } }, EventID: id, EventRecordID: record,
      Channel: 'Security', Computer: 'dc-01.so-xay-dung.local', TimeCreated: { '#attributes': { SystemTime: time } },
    },
    EventData: { TargetUserName: user, IpAddress: ip, LogonType: 3 },
  },
});

test('hunt decides correlation rules over the matches of other rules, in time order across files', () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'rules'));
    mkdirSync(join(dir, 'logs'));
    // The Sigma specification's example: many failed logons, then a success, for one user.
    writeFileSync(join(dir, 'rules', 'brute.yml'), `title: Failed logons followed by a success
id: 22222222-0000-4000-8000-000000000001
status: test
level: high
tags: [attack.credential_access, attack.t1110]
correlation:
  type: temporal_ordered
  rules: [many_failed, 22222222-0000-4000-8000-000000000004]
  group-by: [TargetUserName]
  timespan: 10m
---
title: Many failed logons
name: many_failed
correlation:
  type: event_count
  rules: [failed_logon]
  group-by: [TargetUserName]
  timespan: 10m
  condition: {gte: 5}
---
title: Failed logon
id: 22222222-0000-4000-8000-000000000003
name: failed_logon
level: informational
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Successful network logon
id: 22222222-0000-4000-8000-000000000004
level: informational
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624, LogonType: 3}
  condition: selection
`);
    // A Sigma 1 aggregation: one address trying three or more accounts.
    writeFileSync(join(dir, 'rules', 'spray.yml'), `title: Password spray
id: 22222222-0000-4000-8000-000000000005
status: test
level: medium
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  timeframe: 30m
  condition: selection | count(TargetUserName) by IpAddress >= 3
`);
    writeFileSync(join(dir, 'rules', 'broken.yml'), `title: Refers to nothing
id: 22222222-0000-4000-8000-000000000006
correlation: {type: event_count, rules: [no_such_rule], group-by: [TargetUserName], timespan: 5m, condition: {gte: 2}}
`);
    // Split over two files, the later events first: correlation reads all matches in time order.
    const an = [1, 2, 3, 4, 5, 6].map((i) => logon(i, `2026-11-20T01:0${i}:00Z`, 4625, 'an'));
    writeFileSync(join(dir, 'logs', 'b.jsonl'), [...an.slice(3), logon(7, '2026-11-20T01:08:00Z', 4624, 'an')].join('\n') + '\n');
    writeFileSync(join(dir, 'logs', 'a.jsonl'), [
      ...an.slice(0, 3),
      // binh fails three times, then succeeds: not enough failures
      ...[1, 2, 3].map((i) => logon(10 + i, `2026-11-20T02:0${i}:00Z`, 4625, 'binh', '10.0.0.7')),
      logon(14, '2026-11-20T02:05:00Z', 4624, 'binh', '10.0.0.7'),
      // one address, three accounts
      ...['cuong', 'dung', 'em'].map((u, i) => logon(20 + i, `2026-11-20T03:0${i}:00Z`, 4625, u, '10.9.9.9')),
    ].join('\n') + '\n');

    const base = ['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'logs')];
    const r = cli([...base, '--format', 'jsonl']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /rule not loaded: .*broken\.yml \(22222222-0000-4000-8000-000000000006\): it refers to 'no_such_rule', which is no loaded rule/);
    const matches = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    // The rules the correlations read show nothing of their own.
    assert.deepEqual(matches.map((m) => m.title), ['Failed logons followed by a success', 'Password spray']);
    const [brute, spray] = matches;
    assert.equal(brute.rule_id, '22222222-0000-4000-8000-000000000001');
    assert.equal(brute.level, 'high');
    assert.deepEqual(brute.tags, ['attack.credential_access', 'attack.t1110']);
    assert.equal(brute.correlation, 'temporal_ordered');
    assert.deepEqual(brute.group, { TargetUserName: 'an' });
    assert.equal(brute.time, '2026-11-20T01:08:00.000000Z');
    assert.equal(brute.first_time, '2026-11-20T01:01:00.000000Z');
    assert.deepEqual(brute.events.map((e) => [e.file.split('/').pop(), e.record_id]),
      [['a.jsonl', 1], ['a.jsonl', 2], ['a.jsonl', 3], ['b.jsonl', 4], ['b.jsonl', 5], ['b.jsonl', 7]]);
    assert.equal(brute.events[5].title, 'Successful network logon');
    assert.equal(spray.correlation, 'value_count');
    assert.deepEqual(spray.group, { IpAddress: '10.9.9.9' });
    assert.equal(spray.value, 3);
    assert.match(r.stderr, /rules: 7 loaded, 3 in use and 3 correlations .*; 1 not loaded/);
    assert.match(r.stderr, /correlations read 26 matches not shown on their own/);
    assert.match(r.stderr, /matches: 2 \(high 1, medium 1\)/);

    // Matches held for correlation are bounded, and what is over is said.
    const capped = cli([...base, '--format', 'jsonl', '--max-correlated', '20']);
    assert.match(capped.stderr, /correlations: more than 20 matches to correlate \(--max-correlated\); the 6 after them were not correlated/);

    // --min-level keeps the informational rules the high correlation reads.
    const high = cli([...base, '--format', 'jsonl', '--min-level', 'high']);
    assert.deepEqual(high.stdout.trim().split('\n').map((l) => JSON.parse(l).title), ['Failed logons followed by a success']);
    // Tables and CSV say what the correlation decided on.
    assert.match(cli(base).stdout, /high +Failed logons followed by a success +TargetUserName=an +temporal_ordered 2 in 10m/);
    assert.match(cli([...base, '--format', 'csv']).stdout,
      /,high,22222222-0000-4000-8000-000000000001,.*TargetUserName=an; temporal_ordered=2; matches in window=2; a\.jsonl#1;/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hunt --sort time gives one timeline across files; --sort file keeps file and record order', () => {
  const dir = tempDir();
  try {
    mkdirSync(join(dir, 'rules'));
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'rules', 'whoami.yml'), rule('11111111-0000-4000-8000-000000000002', 'Whoami', 'low',
      `  selection:\n    Image|endswith: '\\\\whoami.exe'\n  condition: selection\n`));
    const whoami = (record, time) => sysmon(record, time, 'C:\\Windows\\System32\\whoami.exe', 'whoami');
    writeFileSync(join(dir, 'logs', 'a.jsonl'), [whoami(1, '2026-11-20T03:00:00Z'), whoami(2, '2026-11-20T01:00:00Z')].join('\n') + '\n');
    writeFileSync(join(dir, 'logs', 'b.jsonl'), whoami(1, '2026-11-20T02:00:00Z') + '\n');
    const base = ['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'logs'), '--format', 'jsonl'];
    const order = (args) => cli(args).stdout.trim().split('\n').map((l) => JSON.parse(l)).map((m) => `${m.file.split('/').pop()}#${m.record_id}`);
    assert.deepEqual(order(base), ['a.jsonl#1', 'a.jsonl#2', 'b.jsonl#1']);
    assert.deepEqual(order([...base, '--sort', 'time']), ['a.jsonl#2', 'b.jsonl#1', 'a.jsonl#1']);
    assert.deepEqual(order([...base, '--sort', 'time', '--threads', '1']), ['a.jsonl#2', 'b.jsonl#1', 'a.jsonl#1']);
    const bad = cli([...base, '--sort', 'severity']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--sort must be file or time, not 'severity'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hunt keeps compiled patterns in the cache: a second run loads them and finds the same; --no-cache compiles afresh', () => {
  const dir = setup();
  try {
    const cache = join(dir, 'cache');
    const args = ['hunt', '--rules', join(dir, 'rules'), '--input', join(dir, 'logs'), '--format', 'jsonl'];
    const databases = (stderr) => {
      const m = stderr.match(/\((\d+) of (\d+) pattern databases from the cache\)/);
      assert.ok(m, stderr);
      return [Number(m[1]), Number(m[2])];
    };
    const first = cli(args, { env: { KHIEN_CACHE_DIR: cache } });
    assert.equal(first.code, 0, first.stderr);
    const [loaded, total] = databases(first.stderr);
    assert.ok(total > 0 && loaded < total, first.stderr);
    assert.ok(existsSync(cache));
    const second = cli(args, { env: { KHIEN_CACHE_DIR: cache } });
    assert.deepEqual(databases(second.stderr), [total, total]);
    assert.equal(second.stdout, first.stdout);
    const fresh = cli([...args, '--no-cache'], { env: { KHIEN_CACHE_DIR: cache } });
    assert.deepEqual(databases(fresh.stderr), [0, total]);
    assert.equal(fresh.stdout, first.stdout);
    // A cache directory that cannot be written costs nothing but the compile.
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const unwritable = cli(args, { env: { KHIEN_CACHE_DIR: join(dir, 'not-a-dir', 'cache') } });
    assert.equal(unwritable.code, 0, unwritable.stderr);
    assert.deepEqual(databases(unwritable.stderr), [0, total]);
    assert.equal(unwritable.stdout, first.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
