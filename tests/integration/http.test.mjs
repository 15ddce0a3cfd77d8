import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Client, signedIn, startServer, tempDir } from './harness.mjs';

let server;
let webDir;
before(async () => {
  const base = tempDir('khien-web-');
  webDir = join(base, 'dist');
  mkdirSync(join(webDir, 'assets'), { recursive: true });
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Khiên</title>');
  writeFileSync(join(webDir, 'assets', 'app-abc123.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'TOP SECRET');
  server = await startServer({ webDir, env: { KHIEN_HTTP_HEADER_TIMEOUT_SECONDS: '2' } });
});
after(() => server.cleanup());

// Sends raw bytes and collects the whole answer until the server closes.
function raw(port, text, { keepOpenMs } = {}) {
  return new Promise((ok, fail) => {
    const s = connect(port, '127.0.0.1');
    let data = '';
    s.on('data', (d) => (data += d));
    s.on('error', fail);
    s.on('close', () => ok(data));
    s.write(text);
    if (!keepOpenMs) s.end();
  });
}

test('every answer carries the security headers and a request id', async () => {
  for (const path of ['/healthz', '/api/v1/me', '/', '/assets/app-abc123.js', '/api/v1/nothing']) {
    const r = await fetch(server.url + path);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /frame-ancestors 'none'/, path);
    assert.match(csp, /script-src 'self';/, path);
    assert.doesNotMatch(csp.split(';').find((d) => d.includes('script-src')), /unsafe/, path);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer', path);
    assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/, path);
    assert.equal(r.headers.get('strict-transport-security'), null, 'no HSTS without TLS');
  }
});

test('health, readiness and metrics answer without signing in', async () => {
  assert.deepEqual(await (await fetch(`${server.url}/healthz`)).json(), { status: 'ok' });
  assert.deepEqual(await (await fetch(`${server.url}/readyz`)).json(), { status: 'ready' });
  const m = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(m, /^khien_http_requests_total\{route="\/healthz",method="GET",status="200"\} \d+$/m);
  assert.match(m, /khien_http_request_duration_seconds_bucket\{route="\/healthz",le="\+Inf"\}/);
  assert.match(m, /^khien_store_connections \d+$/m);
});

test('the UI is served with caching for hashed assets and none for index.html, and SPA routes fall back', async () => {
  const index = await fetch(`${server.url}/`);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  assert.match(await index.text(), /Khiên/);
  const asset = await fetch(`${server.url}/assets/app-abc123.js`);
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(asset.headers.get('content-type'), /javascript/);
  const route = await fetch(`${server.url}/users/12`);
  assert.equal(route.status, 200);
  assert.match(await route.text(), /Khiên/);
  assert.equal((await fetch(`${server.url}/missing.js`)).status, 404);
});

test('no path escapes the web directory', async () => {
  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/index.html%00.js', '/..%5csecret.txt']) {
    const answer = await raw(server.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.doesNotMatch(answer, /TOP SECRET/, path);
  }
});

test('a client sending its header too slowly is cut off', async () => {
  const started = Date.now();
  const answer = await raw(server.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', { keepOpenMs: true });
  assert.equal(answer, '');
  assert.ok(Date.now() - started >= 1500);
});

test('an oversized header gets 431', async () => {
  const answer = await raw(server.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(10000)}\r\nConnection: close\r\n\r\n`);
  assert.match(answer, /^HTTP\/1\.1 431/);
});

test('an anonymous call to the API is 401 with WWW-Authenticate', async () => {
  const r = await new Client(server.url).get('/api/v1/users');
  assert.equal(r.status, 401);
  assert.equal(r.json.code, 'unauthenticated');
  assert.match(r.headers.get('www-authenticate'), /^Bearer/);
});

test('on SIGTERM a request in flight finishes, then the server exits 0 and refuses new connections', async () => {
  const s = await startServer();
  const admin = await signedIn(s.url, s.admin.username, s.admin.password);
  const body = JSON.stringify({ display_name: 'Đang tắt máy chủ' });
  const cookie = admin.cookie;
  const answer = new Promise((ok, fail) => {
    const sock = connect(s.port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => (data += d));
    sock.on('error', fail);
    sock.on('close', () => ok(data));
    sock.write(`PATCH /api/v1/me HTTP/1.1\r\nHost: x\r\nCookie: ${cookie}\r\nX-CSRF-Token: ${admin.csrf}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
    sock.write(body.slice(0, 5));
    // The header is in; the body is still coming when the signal arrives.
    setTimeout(() => {
      s.proc.kill('SIGTERM');
      setTimeout(() => sock.write(body.slice(5)), 300);
    }, 300);
  });
  const text = await answer;
  assert.match(text, /^HTTP\/1\.1 200/);
  assert.match(text, /Đang tắt máy chủ/);
  assert.equal(await s.exited, 0);
  await assert.rejects(fetch(`${s.url}/healthz`));
  await s.cleanup();
});
