import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PASSWORD, cli, signedIn, startServer, tempDir } from './harness.mjs';

test('every subcommand explains itself with --help', () => {
  for (const args of [['serve'], ['migrate'], ['org', 'add'], ['org', 'list'], ['user', 'add'], ['user', 'list'],
    ['user', 'reset-password'], ['user', 'disable'], ['audit', 'verify'], ['backup', 'create'], ['backup', 'restore'], ['rules', 'check'], ['version']]) {
    const r = cli([...args, '--help']);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.stdout, /Usage|OPTIONS|Options/i, args.join(' '));
  }
  assert.match(cli(['version']).stdout, /^khien \d+\.\d+\.\d+ \(schema \d+\)/);
  assert.equal(cli(['no-such-command']).code, 2);
});

test('operators add organisations and users, list them, reset a password and disable a user', async () => {
  const dir = tempDir();
  try {
    assert.equal(cli(['migrate', '--data-dir', dir]).code, 0);
    assert.match(cli(['migrate', '--data-dir', dir]).stdout, /up to date/);
    assert.equal(cli(['org', 'add', '--data-dir', dir, '--slug', 'so-tttt', '--name', 'Sở TT&TT', '--kind', 'coordinator']).code, 0);
    assert.equal(cli(['org', 'add', '--data-dir', dir, '--slug', 'so-yte', '--name', 'Sở Y tế', '--kind', 'agency', '--parent', 'so-tttt']).code, 0);
    const bad = cli(['org', 'add', '--data-dir', dir, '--slug', 'x1', '--name', 'X', '--kind', 'agency', '--parent', 'nowhere']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /parent/);
    assert.match(cli(['org', 'list', '--data-dir', dir]).stdout, /so-yte\s+agency/);
    const add = cli(['user', 'add', '--data-dir', dir, '--org', 'so-yte', '--username', 'hoa', '--role', 'administrator', '--password-stdin'], { input: `${PASSWORD}\n` });
    assert.equal(add.code, 0, add.stderr);
    const weak = cli(['user', 'add', '--data-dir', dir, '--org', 'so-yte', '--username', 'weak', '--role', 'viewer', '--password-stdin'], { input: 'short\n' });
    assert.notEqual(weak.code, 0);
    assert.match(weak.stderr, /password_policy/);
    assert.match(cli(['user', 'list', '--data-dir', dir]).stdout, /hoa\s+administrator/);
    const reset = cli(['user', 'reset-password', '--data-dir', dir, '--username', 'hoa']);
    assert.match(reset.stdout, /^password: \S{16}$/m);
    assert.equal(cli(['user', 'disable', '--data-dir', dir, '--username', 'hoa']).code, 0);
    assert.match(cli(['user', 'list', '--data-dir', dir]).stdout, /hoa\s+administrator\s+\d+\s+disabled/);
    assert.equal(cli(['audit', 'verify', '--data-dir', dir]).code, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('operators whose locale is Vietnamese are answered in Vietnamese', () => {
  const dir = tempDir();
  const vi = { env: { LC_ALL: '', LANG: 'vi_VN.UTF-8' } };
  try {
    assert.match(cli(['migrate', '--data-dir', dir], vi).stdout, /^phiên bản lược đồ \d+ -> \d+ \(đã áp dụng [\d ]+\)\n$/);
    assert.match(cli(['migrate', '--data-dir', dir], vi).stdout, /: đã mới nhất\n$/);
    const org = cli(['org', 'add', '--data-dir', dir, '--slug', 'so-yte', '--name', 'Sở Y tế', '--kind', 'agency'], vi);
    assert.match(org.stdout, /^đã thêm tổ chức so-yte \(mã \d+\)\n$/);
    assert.match(cli(['org', 'list', '--data-dir', dir], vi).stdout, /^MÃ +ĐỊNH DANH +LOẠI +CẤP TRÊN +TÊN\n/);
    const add = cli(['user', 'add', '--data-dir', dir, '--org', 'so-yte', '--username', 'hoa', '--role', 'viewer', '--password-stdin'],
      { ...vi, input: `${PASSWORD}\n` });
    assert.match(add.stdout, /^đã thêm người dùng hoa/);
    const reset = cli(['user', 'reset-password', '--data-dir', dir, '--username', 'hoa'], vi);
    assert.match(reset.stdout, /^tên đăng nhập: hoa\nmật khẩu: \S{16}\n\(tạm thời: /);
    // An error: its title and each field's message in Vietnamese, its codes as they are.
    const bad = cli(['org', 'add', '--data-dir', dir, '--slug', 'x1', '--name', 'X', '--kind', 'agency', '--parent', 'nowhere'], vi);
    assert.equal(bad.stderr, 'khien: Dữ liệu gửi lên không hợp lệ (validation_failed)\n'
      + '  parent: not_found — Không tìm thấy đối tượng được chỉ định (nowhere)\n');
    cli(['user', 'disable', '--data-dir', dir, '--username', 'hoa'], vi);
    assert.match(cli(['user', 'list', '--data-dir', dir], vi).stdout, /hoa\s+viewer\s+\d+\s+đã khóa/);
    assert.equal(cli(['audit', 'verify', '--data-dir', dir], vi).stdout, 'nhật ký kiểm toán nguyên vẹn\n');
    // The help too, lined up by characters (a Vietnamese label is longer in bytes than it shows).
    const help = cli(['user', 'add', '--help'], vi);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Thêm người dùng; mật khẩu được đọc từ đầu vào chuẩn\nCách dùng: \S+ user add \[TÙY CHỌN\]\n\nTùy chọn:\n/);
    assert.match(help.stdout, /\n  --org CHUỖI BẮT BUỘC {8}Tên ngắn của tổ chức/);
    assert.match(help.stdout, /\n  --email CHUỖI {15}Địa chỉ thư điện tử\n/);
    assert.match(cli(['--help'], vi).stdout, /\nLệnh con:\n  serve {23}Phục vụ giao diện web và API\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a backup taken while serving restores into a fresh directory with the data there', async () => {
  const s = await startServer();
  const out = join(tempDir(), 'backup.db');
  const fresh = tempDir();
  try {
    const created = cli(['backup', 'create', '--data-dir', s.dataDir, '--output', out]);
    assert.equal(created.code, 0, created.stderr);
    assert.notEqual(cli(['backup', 'create', '--data-dir', s.dataDir, '--output', out]).code, 0, 'never overwrites');
    await s.stop();
    assert.equal(cli(['backup', 'restore', '--data-dir', fresh, '--input', out]).code, 0);
    assert.notEqual(cli(['backup', 'restore', '--data-dir', fresh, '--input', out]).code, 0, 'needs --force over a database');
    const again = await startServer({ demo: false, dataDir: fresh });
    await signedIn(again.url, s.admin.username, s.admin.password);
    await again.cleanup();
  } finally {
    await s.cleanup();
  }
});

test('environment variables override the configuration file', async () => {
  const dir = tempDir();
  const file = join(dir, 'khien.toml');
  writeFileSync(file, '[auth]\nmax_failures_per_account = 50\n');
  const s = await startServer({ args: ['--config', file], env: { KHIEN_AUTH_MAX_FAILURES_PER_ACCOUNT: '1' } });
  try {
    const { Client } = await import('./harness.mjs');
    await new Client(s.url).login('admin', 'Wrong-Password-123');
    assert.equal((await new Client(s.url).login('admin', s.admin.password)).status, 429);
  } finally {
    await s.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad configuration stops the server with the key and the line named', () => {
  const dir = tempDir();
  const file = join(dir, 'khien.toml');
  writeFileSync(file, 'listen = "127.0.0.1:0"\n\n[http]\nheader_timeout_seconds = "soon"\n');
  const r = cli(['serve', '--config', file, '--data-dir', dir]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /khien\.toml:4: 'http\.header_timeout_seconds' must be a whole number/);
  const env = cli(['serve', '--data-dir', dir], { env: { KHIEN_HTTP_WORKERS: 'many' } });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /KHIEN_HTTP_WORKERS/);
  rmSync(dir, { recursive: true, force: true });
});
