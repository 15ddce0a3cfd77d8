import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, PASSWORD, addUser, signedIn, startServer, totp } from './harness.mjs';

let server;
before(async () => {
  server = await startServer({
    env: { KHIEN_AUTH_MAX_FAILURES_PER_ACCOUNT: '3', KHIEN_AUTH_MAX_FAILURES_PER_ADDRESS: '12' },
  });
  for (const u of ['lan', 'minh', 'throttled', 'totp.user', 'pw.user']) addUser(server.dataDir, 'van-phong-so', u, 'responder');
});
after(() => server.cleanup());

const withoutId = (p) => ({ ...p, request_id: undefined });

describe('sign-in', () => {
  test('a correct password gives an HttpOnly SameSite=Strict session cookie and a CSRF token', async () => {
    const c = new Client(server.url);
    const r = await c.login('lan', PASSWORD);
    assert.equal(r.status, 200);
    assert.equal(typeof r.json.csrf_token, 'string');
    assert.equal(r.json.me.username, 'lan');
    const cookie = r.headers.get('set-cookie');
    assert.match(cookie, /^khien_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/);
    const me = await c.get('/api/v1/me');
    assert.equal(me.status, 200);
    assert.equal(me.json.csrf_token, r.json.csrf_token);
  });

  test('an unknown user and a wrong password get the same answer', async () => {
    const a = await new Client(server.url).login('nobody-here', 'Wrong-Password-123');
    const b = await new Client(server.url).login('minh', 'Wrong-Password-123');
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.equal(a.json.code, 'invalid_credentials');
    assert.deepEqual(withoutId(a.json), withoutId(b.json));
  });

  test('sign-in rotates the session: the old cookie stops working', async () => {
    const c = await signedIn(server.url, 'lan', PASSWORD);
    const old = c.cookie;
    await c.login('lan', PASSWORD);
    assert.notEqual(c.cookie, old);
    const stale = new Client(server.url);
    stale.cookie = old;
    assert.equal((await stale.get('/api/v1/me')).status, 401);
  });

  test('after too many failures the account is throttled with 429 and Retry-After, even with the right password', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await new Client(server.url).login('throttled', 'Wrong-Password-123')).status, 401);
    const r = await new Client(server.url).login('throttled', PASSWORD);
    assert.equal(r.status, 429);
    assert.equal(r.json.code, 'rate_limited');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  });

  test('logout ends the session', async () => {
    const c = await signedIn(server.url, 'lan', PASSWORD);
    assert.equal((await c.post('/api/v1/auth/logout')).status, 204);
    assert.equal((await c.get('/api/v1/me')).status, 401);
  });

  test('failed and successful sign-ins are audited', async () => {
    const admin = await signedIn(server.url, server.admin.username, server.admin.password);
    const failed = await admin.get('/api/v1/audit?action=auth.login_failed&actor=minh');
    assert.equal(failed.status, 200);
    assert.ok(failed.json.items.length >= 1);
    assert.equal(failed.json.items[0].outcome, 'failure');
    assert.equal(failed.json.items[0].changes.reason, 'wrong_password');
    const ok = await admin.get('/api/v1/audit?action=auth.login&actor=lan');
    assert.ok(ok.json.items.length >= 1);
  });
});

describe('CSRF', () => {
  test('a change made with the cookie but without the token is refused and changes nothing', async () => {
    const c = await signedIn(server.url, 'lan', PASSWORD);
    const r = await c.patch('/api/v1/me', { display_name: 'Hacked' }, { headers: { 'X-CSRF-Token': '' } });
    assert.equal(r.status, 403);
    assert.equal(r.json.code, 'csrf_failed');
    const wrong = await c.patch('/api/v1/me', { display_name: 'Hacked' }, { headers: { 'X-CSRF-Token': 'x'.repeat(43) } });
    assert.equal(wrong.status, 403);
    assert.notEqual((await c.get('/api/v1/me')).json.display_name, 'Hacked');
    const good = await c.patch('/api/v1/me', { display_name: 'Trần Thị Lan' });
    assert.equal(good.status, 200);
    assert.equal(good.json.display_name, 'Trần Thị Lan');
  });
});

describe('TOTP', () => {
  test('a user enrols with a code from the app and must then give a code at sign-in', async () => {
    const c = await signedIn(server.url, 'totp.user', PASSWORD);
    const e = await c.post('/api/v1/me/totp');
    assert.equal(e.status, 200);
    assert.match(e.json.otpauth_uri, /^otpauth:\/\/totp\/Khi%C3%AAn:totp\.user\?secret=/);
    assert.equal((await c.post('/api/v1/me/totp/confirm', { code: '000000' === totp(e.json.secret) ? '111111' : '000000' })).status, 400);
    assert.equal((await c.post('/api/v1/me/totp/confirm', { code: totp(e.json.secret) })).status, 204);
    assert.equal((await c.get('/api/v1/me')).json.totp_enabled, true);

    const noCode = await new Client(server.url).login('totp.user', PASSWORD);
    assert.equal(noCode.status, 401);
    assert.equal(noCode.json.code, 'totp_required');
    const wrongCode = await new Client(server.url).login('totp.user', PASSWORD, '123456' === totp(e.json.secret) ? '654321' : '123456');
    assert.equal(wrongCode.json.code, 'invalid_totp');
    // The code used at enrolment cannot be replayed; the next step's code works.
    const next = await new Client(server.url).login('totp.user', PASSWORD, totp(e.json.secret, Date.now() + 30_000));
    assert.equal(next.status, 200, next.text);
  });

  test('an organisation that requires TOTP lets a user without it do nothing but enrol', async () => {
    const admin = await signedIn(server.url, server.admin.username, server.admin.password);
    const orgs = (await admin.get('/api/v1/organizations')).json.items;
    const unit = orgs.find((o) => o.slug === 'thanh-tra-so');
    assert.equal((await admin.patch(`/api/v1/organizations/${unit.id}`, { require_totp: true })).status, 200);
    addUser(server.dataDir, 'thanh-tra-so', 'inspector', 'viewer');
    const c = await signedIn(server.url, 'inspector', PASSWORD);
    const me = await c.get('/api/v1/me');
    assert.equal(me.json.totp_enrolment_required, true);
    const blocked = await c.get('/api/v1/organizations');
    assert.equal(blocked.status, 403);
    assert.equal(blocked.json.code, 'totp_enrolment_required');
    const e = await c.post('/api/v1/me/totp');
    assert.equal((await c.post('/api/v1/me/totp/confirm', { code: totp(e.json.secret) })).status, 204);
    assert.equal((await c.get('/api/v1/organizations')).status, 200);
  });
});

describe('passwords', () => {
  test('the policy refuses a weak new password with a field error, and the right one is kept', async () => {
    const c = await signedIn(server.url, 'pw.user', PASSWORD);
    const weak = await c.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'password1234' });
    assert.equal(weak.status, 400);
    assert.equal(weak.json.code, 'validation_failed');
    assert.deepEqual(weak.json.errors.map((e) => [e.field, e.code]), [['new_password', 'password_policy']]);
    const wrongCurrent = await c.post('/api/v1/me/password', { current_password: 'Not-The-Password-1', new_password: 'Brand-New-Secret-42' });
    assert.equal(wrongCurrent.json.errors[0].field, 'current_password');
    assert.equal((await c.post('/api/v1/me/password', { current_password: PASSWORD, new_password: 'Brand-New-Secret-42' })).status, 204);
    assert.equal((await c.get('/api/v1/me')).status, 200, 'the session that changed the password stays');
    assert.equal((await new Client(server.url).login('pw.user', PASSWORD)).status, 401);
    assert.equal((await new Client(server.url).login('pw.user', 'Brand-New-Secret-42')).status, 200);
  });
});
