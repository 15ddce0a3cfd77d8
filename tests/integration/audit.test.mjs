import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { cli, signedIn, startServer, tempDir } from './harness.mjs';

let server;
let admin;
before(async () => {
  server = await startServer();
  admin = await signedIn(server.url, server.admin.username, server.admin.password);
  const agency = (await admin.get('/api/v1/organizations')).json.items.find((o) => o.slug === 'so-xay-dung-khanh-hoa');
  for (let i = 0; i < 4; i++)
    await admin.post('/api/v1/organizations', { slug: `don-vi-${i}`, name: `Đơn vị ${i}`, kind: 'unit', parent_id: agency.id });
  await server.stop();
});
after(() => server.cleanup());

function sqlite(dir, sql) {
  const r = spawnSync('sqlite3', [join(dir, 'khien.db'), sql], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// A copy of the stopped server's data, tampered with by hand.
function tampered(sql) {
  const dir = tempDir('khien-tamper-');
  cpSync(server.dataDir, dir, { recursive: true });
  sqlite(dir, `DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete; ${sql}`);
  const r = cli(['audit', 'verify', '--data-dir', dir]);
  rmSync(dir, { recursive: true, force: true });
  return r;
}

test('an untouched log verifies', () => {
  const r = cli(['audit', 'verify', '--data-dir', server.dataDir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /intact/);
});

test('the database refuses to change or delete an entry', () => {
  const r = spawnSync('sqlite3', [join(server.dataDir, 'khien.db'), "UPDATE audit_log SET actor = 'x' WHERE id = 3"], { encoding: 'utf8' });
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /cannot be changed/);
});

test('a modified entry is found and named', () => {
  const r = tampered(`UPDATE audit_log SET changes = '{"name":"forged"}' WHERE id = 5`);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /entry 5: modified/);
});

test('a deleted entry is found as missing', () => {
  const r = tampered('DELETE FROM audit_log WHERE id = 5');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /entry 6: missing/);
});

test('an inserted entry is found and named', () => {
  const last = Number(sqlite(server.dataDir, 'SELECT max(id) FROM audit_log'));
  const r = tampered(`INSERT INTO audit_log (id, at, actor, action, target_type, target_id, changes, address, user_agent, outcome, prev_hash, hash)
    SELECT ${last + 1}, at, 'intruder', 'user.create', 'user', '99', '{}', 'x', 'x', 'success', hash, 'made-up' FROM audit_log WHERE id = ${last}`);
  assert.equal(r.code, 1);
  assert.match(r.stdout, new RegExp(`entry ${last + 1}: inserted`));
});

test('two swapped entries are found as reordered', () => {
  const r = tampered('UPDATE audit_log SET id = -1 WHERE id = 5; UPDATE audit_log SET id = 5 WHERE id = 6; UPDATE audit_log SET id = 6 WHERE id = -1;');
  assert.equal(r.code, 1);
  assert.match(r.stdout, /entry 5: reordered/);
});

test('the API lists entries newest first with filters, pages and a detail view', async () => {
  const s = await startServer({ demo: false, dataDir: server.dataDir });
  try {
    const c = await signedIn(s.url, server.admin.username, server.admin.password);
    const all = await c.get('/api/v1/audit?limit=3');
    assert.equal(all.status, 200);
    assert.equal(all.json.items.length, 3);
    const ids = all.json.items.map((e) => Number(e.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const next = await c.get(`/api/v1/audit?limit=3&cursor=${all.json.next_cursor}`);
    assert.ok(Number(next.json.items[0].id) < ids[2]);
    const creates = await c.get('/api/v1/audit?action=organization.create&actor=admin');
    assert.equal(creates.json.items.length, 4);
    assert.ok(creates.json.items.every((e) => e.action === 'organization.create'));
    const one = await c.get(`/api/v1/audit/${creates.json.items[0].id}`);
    assert.equal(one.json.changes.name, 'Đơn vị 3');
    assert.equal(one.json.prev_hash.length, 64);
    const future = await c.get('/api/v1/audit?from=2999-01-01T00:00:00Z');
    assert.equal(future.json.items.length, 0);
    const bad = await c.get('/api/v1/audit?from=yesterday');
    assert.equal(bad.status, 400);
    assert.equal(bad.json.errors[0].field, 'from');
  } finally {
    await s.stop();
  }
});
