import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, signedIn, startServer } from './harness.mjs';

let server;
let admin;
before(async () => {
  server = await startServer();
  admin = await signedIn(server.url, server.admin.username, server.admin.password);
});
after(() => server.cleanup());

test('a token is shown once, works as a bearer without CSRF, and records its last use', async () => {
  const r = await admin.post('/api/v1/tokens', { name: 'siem', scope: 'read-write', expires_in_days: 30 });
  assert.equal(r.status, 201);
  assert.match(r.json.secret, /^khien_/);
  assert.equal(r.json.token.prefix, r.json.secret.slice(0, 12));
  const bearer = new Client(server.url, { bearer: r.json.secret });
  assert.equal((await bearer.get('/api/v1/me')).json.username, 'admin');
  assert.equal((await bearer.patch('/api/v1/me', { display_name: 'Quản trị (API)' })).status, 200);
  const list = await admin.get('/api/v1/tokens');
  const t = list.json.items.find((x) => x.id === r.json.token.id);
  assert.ok(t.last_used_at);
  assert.equal(JSON.stringify(list.json).includes(r.json.secret), false, 'the secret is never listed');
});

test('a read token may read but not change', async () => {
  const r = await admin.post('/api/v1/tokens', { name: 'reader', scope: 'read' });
  const bearer = new Client(server.url, { bearer: r.json.secret });
  assert.equal((await bearer.get('/api/v1/users')).status, 200);
  const change = await bearer.patch('/api/v1/me', { display_name: 'x' });
  assert.equal(change.status, 403);
  assert.equal(change.json.code, 'insufficient_scope');
});

test('a revoked token no longer works and the revocation is audited', async () => {
  const r = await admin.post('/api/v1/tokens', { name: 'temporary', scope: 'read' });
  assert.equal((await admin.delete(`/api/v1/tokens/${r.json.token.id}`)).status, 204);
  const bearer = new Client(server.url, { bearer: r.json.secret });
  assert.equal((await bearer.get('/api/v1/me')).status, 401);
  const audit = await admin.get(`/api/v1/audit?action=token.revoke&target_id=${r.json.token.id}`);
  assert.equal(audit.json.items.length, 1);
});

test('a token cannot create more tokens', async () => {
  const r = await admin.post('/api/v1/tokens', { name: 'writer', scope: 'read-write' });
  const bearer = new Client(server.url, { bearer: r.json.secret });
  assert.equal((await bearer.post('/api/v1/tokens', { name: 'child', scope: 'read' })).status, 403);
});

test('a made-up bearer token is refused', async () => {
  assert.equal((await new Client(server.url, { bearer: 'khien_not-a-real-token' }).get('/api/v1/me')).status, 401);
});
