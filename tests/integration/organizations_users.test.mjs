import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, PASSWORD, signedIn, startServer } from './harness.mjs';

let server;
let admin;
let agency;
before(async () => {
  server = await startServer();
  admin = await signedIn(server.url, server.admin.username, server.admin.password);
  agency = (await admin.get('/api/v1/organizations')).json.items.find((o) => o.slug === 'so-xay-dung-khanh-hoa');
});
after(() => server.cleanup());

test('the administrator sees the agency, its units and its ancestors, but not the sibling response team', async () => {
  const slugs = (await admin.get('/api/v1/organizations')).json.items.map((o) => o.slug).sort();
  assert.deepEqual(slugs, ['phong-kinh-te-vat-lieu', 'phong-quan-ly-xay-dung', 'so-tttt-khanh-hoa', 'so-xay-dung-khanh-hoa',
    'thanh-tra-so', 'van-phong-so', 'vncert']);
});

test('an administrator adds a unit, then a user in it who must change the password at first sign-in', async () => {
  const unit = await admin.post('/api/v1/organizations', { slug: 'phong-cntt', name: 'Phòng Công nghệ thông tin', kind: 'unit', parent_id: agency.id });
  assert.equal(unit.status, 201, unit.text);
  assert.equal(unit.json.parent_id, agency.id);
  const user = await admin.post('/api/v1/users', {
    username: 'tran.binh', display_name: 'Trần Bình', email: 'binh@sxd.khanhhoa.gov.vn', role: 'security-officer',
    organization_id: unit.json.id, password: PASSWORD,
  });
  assert.equal(user.status, 201, user.text);
  const binh = await signedIn(server.url, 'tran.binh', PASSWORD);
  assert.equal((await binh.get('/api/v1/me')).json.password_change_required, true);
  const blocked = await binh.get('/api/v1/users');
  assert.equal(blocked.status, 403);
  assert.equal(blocked.json.code, 'password_change_required');
  assert.equal((await binh.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'Binh-Chon-Mat-Khau-7' })).status, 204);
  const users = await binh.get('/api/v1/users');
  assert.equal(users.status, 200);
  assert.ok(users.json.items.some((u) => u.username === 'admin'), 'a unit member sees the users of the whole agency');
});

test('an agency may not place an agency under itself, only units', async () => {
  const r = await admin.post('/api/v1/organizations', { slug: 'not-allowed', name: 'X', kind: 'agency', parent_id: agency.id });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.errors.map((e) => [e.field, e.code]), [['kind', 'kind_not_allowed_here']]);
});

test('an agency may not add organisations under its parent coordinator', async () => {
  const parent = (await admin.get('/api/v1/organizations')).json.items.find((o) => o.slug === 'so-tttt-khanh-hoa');
  const r = await admin.post('/api/v1/organizations', { slug: 'sneaky', name: 'X', kind: 'agency', parent_id: parent.id });
  assert.equal(r.status, 403);
  assert.equal((await admin.patch(`/api/v1/organizations/${parent.id}`, { name: 'Renamed' })).status, 403);
});

test('changing a role and disabling a user are audited with what changed, and a disabled user cannot sign in', async () => {
  const u = await admin.post('/api/v1/users', { username: 'le.cuong', display_name: 'Lê Cường', role: 'viewer', organization_id: agency.id, password: PASSWORD });
  const patched = await admin.patch(`/api/v1/users/${u.json.id}`, { role: 'responder', disabled: true });
  assert.equal(patched.status, 200);
  assert.equal(patched.json.role, 'responder');
  const audit = await admin.get(`/api/v1/audit?action=user.update&target_id=${u.json.id}`);
  assert.deepEqual(audit.json.items[0].changes, { role: { from: 'viewer', to: 'responder' }, disabled: { from: false, to: true } });
  const login = await new Client(server.url).login('le.cuong', PASSWORD);
  assert.equal(login.status, 401);
  assert.equal(login.json.code, 'invalid_credentials');
});

test('an administrator cannot demote or disable themself', async () => {
  const me = (await admin.get('/api/v1/me')).json;
  const r = await admin.patch(`/api/v1/users/${me.id}`, { role: 'viewer' });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].code, 'cannot_change_self');
});

test('a reset password is shown once and forces a change; the old sessions end', async () => {
  const u = await admin.post('/api/v1/users', { username: 'pham.dung', display_name: 'Phạm Dũng', role: 'responder', organization_id: agency.id, password: PASSWORD });
  const dung = await signedIn(server.url, 'pham.dung', PASSWORD);
  const reset = await admin.post(`/api/v1/users/${u.json.id}/reset-password`);
  assert.equal(reset.status, 200);
  assert.equal(reset.json.password.length, 16);
  assert.equal((await dung.get('/api/v1/me')).status, 401);
  const again = await signedIn(server.url, 'pham.dung', reset.json.password);
  assert.equal((await again.get('/api/v1/me')).json.password_change_required, true);
  const entry = (await admin.get(`/api/v1/audit?action=user.reset_password&target_id=${u.json.id}`)).json.items[0];
  assert.equal(JSON.stringify(entry).includes(reset.json.password), false, 'the password is not in the audit log');
});

test('a viewer can read the tree but not manage users', async () => {
  await admin.post('/api/v1/users', { username: 'vo.em', display_name: 'Võ Em', role: 'viewer', organization_id: agency.id, password: PASSWORD });
  const viewer = await signedIn(server.url, 'vo.em', PASSWORD);
  await viewer.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'Em-Doi-Mat-Khau-2026' });
  assert.equal((await viewer.get('/api/v1/organizations')).status, 200);
  assert.equal((await viewer.get('/api/v1/users')).status, 403);
  assert.equal((await viewer.get('/api/v1/audit')).status, 403);
  const create = await viewer.post('/api/v1/users', { username: 'x.y.z', display_name: 'X', role: 'administrator', organization_id: agency.id, password: PASSWORD });
  assert.equal(create.status, 403);
  assert.equal(create.json.code, 'forbidden');
});

test('users list filters by unit and text, and pages with a cursor', async () => {
  for (let i = 0; i < 5; i++)
    await admin.post('/api/v1/users', { username: `page.user${i}`, display_name: `Trang ${i}`, role: 'viewer', organization_id: agency.id, password: PASSWORD });
  const first = await admin.get('/api/v1/users?limit=3&q=page.user');
  assert.equal(first.json.items.length, 3);
  assert.ok(first.json.next_cursor);
  const second = await admin.get(`/api/v1/users?limit=3&q=page.user&cursor=${first.json.next_cursor}`);
  assert.equal(second.json.items.length, 2);
  assert.equal(second.json.next_cursor, null);
  const names = [...first.json.items, ...second.json.items].map((u) => u.username);
  assert.equal(new Set(names).size, 5);
  assert.equal((await admin.get('/api/v1/users?cursor=garbage')).status, 400);
});
