// Each kind of bad input gets a clear problem+json answer, and nothing is half-written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { signedIn, startServer } from './harness.mjs';

let server;
let admin;
let agencyId;
let auditCount;
before(async () => {
  server = await startServer({ env: { KHIEN_HTTP_BODY_LIMIT_BYTES: '4096' } });
  admin = await signedIn(server.url, server.admin.username, server.admin.password);
  agencyId = (await admin.get('/api/v1/organizations')).json.items.find((o) => o.slug === 'so-xay-dung-khanh-hoa').id;
  auditCount = async () => (await admin.get('/api/v1/audit?limit=1000')).json.items.length;
});
after(() => server.cleanup());

const user = (extra = {}) => ({ username: 'nguyen.hoa', display_name: 'Nguyễn Hòa', role: 'viewer', organization_id: agencyId, password: 'Correct-Horse-Battery-9', ...extra });

async function expectProblem(res, status, code) {
  assert.equal(res.status, status, res.text);
  assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(res.json.code, code);
  assert.equal(res.json.status, status);
  assert.ok(res.json.title);
  assert.ok(res.json.request_id);
}

test('unknown fields, wrong types, over-long and missing values are each named', async () => {
  const before = await auditCount();
  const r = await admin.post('/api/v1/users', { ...user({ display_name: 'x'.repeat(129), role: 7 }), admin: true, username: undefined });
  await expectProblem(r, 400, 'validation_failed');
  const byField = Object.fromEntries(r.json.errors.map((e) => [e.field, e.code]));
  assert.deepEqual(byField, { username: 'required', display_name: 'too_long', role: 'wrong_type', admin: 'unknown_field' });
  assert.ok(r.json.errors.every((e) => e.message.length > 0));
  assert.equal(await auditCount(), before);
  assert.equal((await admin.get('/api/v1/users?q=nguyen.hoa')).json.items.length, 0);
});

test('field messages and titles follow Accept-Language', async () => {
  const en = await admin.post('/api/v1/users', user({ display_name: 'x'.repeat(129) }), { headers: { 'Accept-Language': 'en-GB,en;q=0.8' } });
  assert.equal(en.json.title, 'The submitted data is not valid');
  assert.equal(en.json.errors[0].message, 'Too long: at most 128 characters');
  const vi = await admin.post('/api/v1/users', user({ display_name: 'x'.repeat(129) }));
  assert.equal(vi.json.title, 'Dữ liệu gửi lên không hợp lệ');
});

test('malformed JSON is refused', async () => {
  await expectProblem(await admin.request('POST', '/api/v1/users', { raw: '{"username": ', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed_json');
  await expectProblem(await admin.request('POST', '/api/v1/users', { raw: '[1,2]', headers: { 'Content-Type': 'application/json' } }), 400, 'validation_failed');
  await expectProblem(await admin.request('POST', '/api/v1/users', { raw: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed_json');
});

test('a body that is not JSON is 415', async () => {
  await expectProblem(await admin.request('POST', '/api/v1/users', { raw: 'username=x', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported_media_type');
});

test('an oversized body is 413 and nothing is written', async () => {
  const before = await auditCount();
  const r = await admin.post('/api/v1/users', user({ display_name: 'x'.repeat(8000) }));
  await expectProblem(r, 413, 'payload_too_large');
  assert.equal(await auditCount(), before);
});

test('unknown query parameters and bad limits are refused', async () => {
  await expectProblem(await admin.get('/api/v1/users?limit=0'), 400, 'validation_failed');
  await expectProblem(await admin.get('/api/v1/users?limit=abc'), 400, 'validation_failed');
  await expectProblem(await admin.get('/api/v1/users?sort=name'), 400, 'validation_failed');
});

test('unknown routes are 404 and wrong methods 405 with Allow', async () => {
  await expectProblem(await admin.get('/api/v1/nothing-here'), 404, 'not_found');
  await expectProblem(await admin.get('/api/v1/users/abc'), 404, 'not_found');
  await expectProblem(await admin.get('/api/v1/users/999999'), 404, 'not_found');
  const r = await admin.request('PUT', '/api/v1/users');
  await expectProblem(r, 405, 'method_not_allowed');
  assert.match(r.headers.get('allow'), /GET/);
});

test('a duplicate username is a field error and the first user is untouched', async () => {
  assert.equal((await admin.post('/api/v1/users', user({ username: 'dup.user' }))).status, 201);
  const r = await admin.post('/api/v1/users', user({ username: 'dup.user', display_name: 'Other' }));
  await expectProblem(r, 400, 'validation_failed');
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['username', 'taken']]);
  const list = (await admin.get('/api/v1/users?q=dup.user')).json.items;
  assert.equal(list.length, 1);
  assert.equal(list[0].display_name, 'Nguyễn Hòa');
});
