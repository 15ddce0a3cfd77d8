import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { join } from 'node:path';
import { Client, startServer, tempDir } from './harness.mjs';

test('failures from one address across many usernames throttle that address', async () => {
  const s = await startServer({ env: { KHIEN_AUTH_MAX_FAILURES_PER_ADDRESS: '5', KHIEN_AUTH_MAX_FAILURES_PER_ACCOUNT: '100' } });
  try {
    for (let i = 0; i < 5; i++) assert.equal((await new Client(s.url).login(`spray${i}`, 'Wrong-Password-123')).status, 401);
    const r = await new Client(s.url).login(s.admin.username, s.admin.password);
    assert.equal(r.status, 429);
    assert.ok(Number(r.headers.get('retry-after')) > 0);
    const audit = spawnSync('sqlite3', [join(s.dataDir, 'khien.db'), "SELECT count(*) FROM audit_log WHERE action = 'auth.login_throttled'"], { encoding: 'utf8' });
    assert.equal(audit.stdout.trim(), '1');
  } finally {
    await s.cleanup();
  }
});

function httpsGet(port, path, headers = {}, body = undefined) {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port, path, method: body === undefined ? 'GET' : 'POST', headers, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => ok({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', fail);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

test('with a certificate the server speaks TLS, sends HSTS and marks the session cookie Secure', async (t) => {
  const dir = tempDir('khien-tls-');
  const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { encoding: 'utf8' });
  if (gen.status !== 0) return t.skip(`openssl could not make a test certificate: ${gen.stderr}`);
  const s = await startServer({ env: { KHIEN_TLS_CERTIFICATE: join(dir, 'cert.pem'), KHIEN_TLS_PRIVATE_KEY: join(dir, 'key.pem') } });
  try {
    const health = await httpsGet(s.port, '/healthz');
    assert.equal(health.status, 200);
    assert.match(health.headers['strict-transport-security'], /max-age=\d+/);
    const body = JSON.stringify({ username: s.admin.username, password: s.admin.password });
    const login = await httpsGet(s.port, '/api/v1/auth/login', { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, body);
    assert.equal(login.status, 200, login.body);
    assert.match(login.headers['set-cookie'][0], /; Secure/);
  } finally {
    await s.cleanup();
  }
});
