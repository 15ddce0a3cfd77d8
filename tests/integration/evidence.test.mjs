// Evidence with its chain of custody over real HTTP: a file streamed up and stored by its
// SHA-256, downloaded with the hash re-checked, transferred, and refused once tampered with.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { Client, PASSWORD, addUser, signedIn, startServer } from './harness.mjs';

let server;
let responder;
let incident;

before(async () => {
  server = await startServer({ env: { KHIEN_HTTP_UPLOAD_LIMIT_BYTES: String(8 * 1024 * 1024) } });
  addUser(server.dataDir, 'so-xay-dung-khanh-hoa', 'ung.cuu.vien', 'responder');
  responder = await signedIn(server.url, 'ung.cuu.vien', PASSWORD);
  incident = (await responder.post('/api/v1/incidents', { title: 'Máy chủ tệp bị mã hóa', scenario: 'ransomware', severity: 'high' })).json;
});
after(() => server.cleanup());

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const incoming = () => join(server.dataDir, 'evidence', 'incoming');
const leftovers = () => (existsSync(incoming()) ? readdirSync(incoming()) : []);

function upload(client, bytes, query) {
  const q = new URLSearchParams(query).toString();
  return client.request('POST', `/api/v1/incidents/${incident.id}/evidence?${q}`, {
    raw: bytes, headers: { 'Content-Type': 'application/vnd.tcpdump.pcap' },
  });
}

test('an evidence file is streamed up, stored by its hash, downloaded intact and its custody kept', async () => {
  const bytes = randomBytes(5 * 1024 * 1024 + 123);
  let r = await upload(responder, bytes, { name: 'lưu lượng mạng.pcap', collected_by: 'Nguyễn Văn An', collected_from: 'Tường lửa FW-01', method: 'tcpdump' });
  assert.equal(r.status, 201, `${r.status} ${r.text}`);
  const evidence = r.json;
  assert.equal(evidence.sha256, sha256(bytes));
  assert.equal(evidence.size, bytes.length);
  assert.equal(evidence.media_type, 'application/vnd.tcpdump.pcap');
  assert.equal(evidence.holder, 'Nguyễn Văn An');
  assert.deepEqual(evidence.custody.map((c) => c.kind), ['collected']);
  const stored = join(server.dataDir, 'evidence', evidence.sha256.slice(0, 2), evidence.sha256);
  assert.ok(existsSync(stored), 'stored under its SHA-256');
  assert.deepEqual(leftovers(), [], 'nothing left behind in the spool');

  r = await fetch(`${server.url}/api/v1/incidents/${incident.id}/evidence/${evidence.id}/content`, { headers: { Cookie: responder.cookie } });
  assert.equal(r.status, 200);
  const body = Buffer.from(await r.arrayBuffer());
  assert.equal(sha256(body), evidence.sha256);
  assert.equal(r.headers.get('x-khien-sha256'), evidence.sha256);
  assert.match(r.headers.get('content-disposition'), /filename\*=UTF-8''l%C6%B0u/);

  // The same content again is a second record of the same stored file.
  r = await upload(responder, bytes, { name: 'copy.pcap', collected_by: 'Trần Thị Bình', collected_from: 'FW-01' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.sha256, evidence.sha256);

  r = await responder.post(`/api/v1/incidents/${incident.id}/evidence/${evidence.id}/transfers`, { to: 'Công an tỉnh Khánh Hòa (PA05)', note: 'Biên bản bàn giao số 12' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.holder, 'Công an tỉnh Khánh Hòa (PA05)');
  assert.deepEqual(r.json.custody.map((c) => c.kind), ['collected', 'downloaded', 'transferred']);

  // Tampered with on disk: the download is refused and the custody log says so.
  chmodSync(stored, 0o600);
  writeFileSync(stored, Buffer.concat([bytes.subarray(0, 100), Buffer.from('x'), bytes.subarray(101)]));
  r = await responder.get(`/api/v1/incidents/${incident.id}/evidence/${evidence.id}/content`);
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.code, 'evidence_corrupted');
  r = await responder.get(`/api/v1/incidents/${incident.id}/evidence`);
  assert.equal(r.json.items[0].custody.at(-1).kind, 'hash-mismatch');
});

// An upload over node:http that takes the answer as soon as it comes: a server refusing an
// oversized body answers 413 and closes while the client is still sending.
function uploadExpectingEarlyAnswer(client, bytes, query) {
  const url = new URL(`${server.url}/api/v1/incidents/${incident.id}/evidence?${new URLSearchParams(query)}`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: { Cookie: client.cookie, 'X-CSRF-Token': client.csrf, 'Content-Type': 'application/octet-stream', 'Content-Length': bytes.length },
    }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text || 'null') }));
    });
    req.on('error', (err) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : reject(err)));
    req.setTimeout(20_000, () => reject(new Error('no answer to the oversized upload')));
    req.end(bytes);
  });
}

test('uploads without credentials, too large, or without the collector are refused and leave nothing', async () => {
  let r = await upload(new Client(server.url), randomBytes(1024), { name: 'x.bin', collected_by: 'A', collected_from: 'B' });
  assert.equal(r.status, 401);
  r = await uploadExpectingEarlyAnswer(responder, randomBytes(9 * 1024 * 1024), { name: 'big.bin', collected_by: 'A', collected_from: 'B' });
  assert.equal(r.status, 413);
  assert.equal(r.json.code, 'payload_too_large');
  r = await upload(responder, randomBytes(1024), { name: 'x.bin' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['collected_by', 'collected_from']);
  r = await upload(responder, Buffer.alloc(0), { name: 'empty.bin', collected_by: 'A', collected_from: 'B' });
  assert.equal(r.status, 400);
  assert.deepEqual(leftovers(), []);
  const other = await signedIn(server.url, server.admin.username, server.admin.password).catch(() => null);
  assert.ok(other);
});
