// A whole incident over real HTTP, as the plan's process runs it (§II.2): a staff member reports,
// responders verify and classify it, the serious-incident criteria and the obligations follow
// from the regulatory profile, the director approves the response option, the system is not
// stable at the first check (a loop back), and the officer closes it with the lessons learned.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, addOrg, addUser, signedIn, startServer } from './harness.mjs';

let server;
let officer;
let responder;
let director;
let staff;
let coordinator;
let otherAgency;

before(async () => {
  server = await startServer();
  addUser(server.dataDir, 'van-phong-so', 'can.bo.chuyen.trach', 'security-officer');
  addUser(server.dataDir, 'so-xay-dung-khanh-hoa', 'ung.cuu.vien', 'responder');
  addUser(server.dataDir, 'so-xay-dung-khanh-hoa', 'giam.doc', 'director');
  addUser(server.dataDir, 'phong-quan-ly-xay-dung', 'nhan.vien', 'viewer');
  officer = await signedIn(server.url, 'can.bo.chuyen.trach', PASSWORD);
  responder = await signedIn(server.url, 'ung.cuu.vien', PASSWORD);
  director = await signedIn(server.url, 'giam.doc', PASSWORD);
  staff = await signedIn(server.url, 'nhan.vien', PASSWORD);
  addUser(server.dataDir, 'so-tttt-khanh-hoa', 'dieu.phoi', 'responder');
  addOrg(server.dataDir, 'so-y-te', 'agency', 'so-tttt-khanh-hoa');
  addUser(server.dataDir, 'so-y-te', 'quan.tri.y.te', 'administrator');
  coordinator = await signedIn(server.url, 'dieu.phoi', PASSWORD);
  otherAgency = await signedIn(server.url, 'quan.tri.y.te', PASSWORD);
});
after(() => server.cleanup());

// Takes a step with the version last read; returns the answer.
async function step(client, incident, body) {
  return client.post(`/api/v1/incidents/${incident.id}/transitions`, body, { headers: { 'If-Match': `"${incident.version}"` } });
}
async function stepOk(client, incident, body) {
  const r = await step(client, incident, body);
  assert.equal(r.status, 200, `${body.step}: ${r.text}`);
  return r.json;
}
async function patchOk(client, incident, body) {
  const r = await client.patch(`/api/v1/incidents/${incident.id}`, body, { headers: { 'If-Match': r0(incident) } });
  assert.equal(r.status, 200, r.text);
  return r.json;
}
const r0 = (incident) => `"${incident.version}"`;
const obligation = (incident, id) => incident.obligations.find((o) => o.id === id);

test('an incident goes from a staff report to closed, with one loop back and an approval gate', async () => {
  // 1. A staff member reports what they saw.
  let r = await staff.post('/api/v1/incidents/report', {
    title: 'Máy tính phòng Quản lý xây dựng bị mã hóa dữ liệu',
    description: 'Các tệp trên ổ D có đuôi .lockbit, màn hình hiện thông báo đòi tiền chuộc.',
    detected_at: new Date(Date.now() - 3600_000).toISOString(),
    reporter_contact: '0258 3822 000',
  });
  assert.equal(r.status, 201, r.text);
  let incident = r.json;
  assert.equal(incident.phase, 'received');
  assert.equal(incident.source, 'staff-report');
  assert.match(incident.reference, /^\d{4}-0001$/);
  assert.equal(r.headers.get('etag'), `"${incident.version}"`);
  assert.equal(incident.profile, '2017');
  assert.equal(incident.can_change, false, 'a viewer reports but does not work the incident');
  const notification = obligation(incident, 'incident-notification');
  assert.equal(notification.status, 'pending');
  assert.ok(notification.due_at > incident.detected_at);
  assert.deepEqual(notification.recipients.map((x) => x.organization_name),
    ['Sở Xây dựng Khánh Hòa', 'Trung tâm Ứng cứu khẩn cấp không gian mạng Việt Nam (VNCERT/CC)', 'Sở Thông tin và Truyền thông Khánh Hòa']);

  // A viewer may not take steps.
  r = await step(staff, incident, { step: 'start-verification' });
  assert.equal(r.status, 403, r.text);

  // 2. Writes without If-Match, or with a stale version, are refused.
  r = await responder.post(`/api/v1/incidents/${incident.id}/transitions`, { step: 'start-verification' });
  assert.equal(r.status, 428, r.text);
  r = await responder.post(`/api/v1/incidents/${incident.id}/transitions`, { step: 'start-verification' }, { headers: { 'If-Match': '"99"' } });
  assert.equal(r.status, 412, r.text);
  assert.equal(r.json.code, 'stale');

  incident = await stepOk(responder, incident, { step: 'start-verification' });
  assert.equal(incident.phase, 'verifying');

  // Confirming needs a scenario and a severity.
  r = await step(responder, incident, { step: 'confirm' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.errors.map((e) => e.field), ['scenario', 'severity']);

  // 3. The officer records the affected system (level 4) and classifies: serious by Decision 05 Art. 9.
  r = await officer.post('/api/v1/systems', { name: 'Cổng dịch vụ công trực tuyến', security_level: 4, operator: 'Văn phòng Sở' });
  assert.equal(r.status, 201, r.text);
  const system = r.json;
  incident = await patchOk(responder, incident, {
    scenario: 'ransomware', severity: 'high', system_ids: [system.id], impacts: ['service-interruption'],
  });
  assert.equal(incident.cause_class, 'cyber-attack', 'the scenario group gives the cause class');
  assert.equal(incident.serious, false, 'not serious while the agency can handle it');
  assert.deepEqual(incident.serious_assessment.reasons.map((x) => [x.criterion, x.met]),
    [['system_level', true], ['impact', true], ['beyond_capacity', false]]);
  incident = await patchOk(responder, incident, { beyond_capacity: true });
  assert.equal(incident.serious, true);
  assert.equal(incident.approval_needed, true);
  const initial = obligation(incident, 'initial-report');
  assert.equal(initial.due, 'immediately', 'Mẫu 03 is owed immediately');
  assert.ok(['pending', 'overdue'].includes(initial.status));
  assert.ok(initial.due_at);
  assert.ok(obligation(incident, 'serious-upgrade-proposal'));

  // Choosing the scenario opened the playbook's tasks for this phase and the next.
  r = await responder.get(`/api/v1/incidents/${incident.id}/tasks`);
  assert.equal(r.status, 200);
  const phases = new Set(r.json.items.map((t) => t.phase));
  assert.deepEqual([...phases].sort(), ['initial_response', 'verifying']);
  assert.ok(r.json.items.every((t) => t.playbook_step.startsWith('ransomware/') && t.due_at));

  incident = await stepOk(responder, incident, { step: 'confirm' });
  incident = await stepOk(responder, incident, { step: 'start-initial-response' });
  incident = await stepOk(responder, incident, { step: 'choose-response', response_option: 'Cô lập máy bị nhiễm, khôi phục từ bản sao lưu ngoại tuyến' });
  assert.equal(incident.phase, 'response_chosen');

  // 4. Serious: containment waits for the director's direction.
  r = await step(responder, incident, { step: 'start-containment' });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.errors[0].field, 'approval');
  incident = await stepOk(officer, incident, { step: 'request-approval', reason: 'Xin ý kiến chỉ đạo của Giám đốc Sở' });
  assert.equal(incident.phase, 'awaiting_approval');
  r = await responder.get(`/api/v1/incidents/${incident.id}/approvals`);
  const approval = r.json.items[0];
  assert.equal(approval.decision, null);
  r = await responder.post(`/api/v1/incidents/${incident.id}/approvals/${approval.id}/decision`, { decision: 'approved' });
  assert.equal(r.status, 403, 'only the director decides what is put to the director');
  r = await director.post(`/api/v1/incidents/${incident.id}/approvals/${approval.id}/decision`, { decision: 'approved', comment: 'Đồng ý' });
  assert.equal(r.status, 200, r.text);
  r = await director.post(`/api/v1/incidents/${incident.id}/approvals/${approval.id}/decision`, { decision: 'rejected' });
  assert.equal(r.status, 409, 'a decision is made once');
  incident = (await responder.get(`/api/v1/incidents/${incident.id}`)).json;
  assert.equal(incident.phase, 'response_chosen');
  assert.equal(incident.approval_state, 'approved');

  // 5. Contain, eradicate, recover, check: not stable, back to containment.
  for (const s of ['start-containment', 'start-eradication', 'start-recovery', 'check']) incident = await stepOk(responder, incident, { step: s });
  assert.equal(incident.phase, 'verification');
  r = await step(responder, incident, { step: 'not-stable' });
  assert.equal(r.status, 400, 'going back needs a reason');
  incident = await stepOk(responder, incident, { step: 'not-stable', reason: 'Mã độc kết nối lại máy chủ điều khiển' });
  assert.equal(incident.phase, 'containment');
  assert.equal(incident.loop_count, 1);
  for (const s of ['start-eradication', 'start-recovery', 'check', 'stable']) incident = await stepOk(responder, incident, { step: s });
  assert.equal(incident.phase, 'closing');
  assert.ok(incident.response_ended_at);
  assert.equal(obligation(incident, 'closing-report').status, 'pending');

  // 6. Closing needs the root cause and the lessons; only the officer closes.
  r = await step(officer, incident, { step: 'close' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.errors.map((e) => e.field), ['root_cause', 'lessons_learned']);
  incident = await patchOk(officer, incident, {
    root_cause: 'Mật khẩu RDP yếu trên máy trạm mở ra Internet',
    lessons_learned: 'Tắt RDP ra Internet; sao lưu ngoại tuyến hằng tuần đã giúp khôi phục trong 1 ngày',
  });
  r = await step(responder, incident, { step: 'close' });
  assert.equal(r.status, 403, 'closing is the officer\'s decision');
  r = await officer.post(`/api/v1/incidents/${incident.id}/submissions`, {
    obligation: 'closing-report', channel: 'email', recipients: ['VNCERT/CC', 'Sở Thông tin và Truyền thông Khánh Hòa'], reference: '123/BC-SXD',
  });
  assert.equal(r.status, 201, r.text);
  incident = (await officer.get(`/api/v1/incidents/${incident.id}`)).json;
  assert.equal(obligation(incident, 'closing-report').status, 'done');
  incident = await stepOk(officer, incident, { step: 'close' });
  assert.equal(incident.phase, 'closed');
  assert.deepEqual(incident.steps, ['reopen']);

  // 7. Nothing else from closed.
  r = await step(officer, incident, { step: 'dismiss', reason: 'x' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'transition_not_allowed');

  // The history keeps every step, the loop back included; the timeline has them too.
  r = await officer.get(`/api/v1/incidents/${incident.id}/transitions`);
  const steps = r.json.items.map((t) => t.step);
  assert.equal(steps.filter((s) => s === 'not-stable').length, 1);
  assert.ok(steps.includes('decide'));
  assert.equal(steps.at(-1), 'close');
  r = await officer.get(`/api/v1/incidents/${incident.id}/timeline`);
  assert.ok(r.json.items.filter((e) => e.kind === 'transition').length >= 15);
  assert.ok(r.json.items.some((e) => e.kind === 'approval'));

  // Every change was audited.
  r = await officer.get(`/api/v1/audit?target_type=incident&target_id=${incident.id}&limit=100`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.filter((e) => e.action === 'incident.transition').length >= 15);
});

test('the incident list filters, searches without diacritics and pages with a cursor', async () => {
  for (let n = 0; n < 3; n++) {
    const r = await responder.post('/api/v1/incidents', { title: `Trang thông tin điện tử bị thay đổi giao diện ${n}`, scenario: 'defacement', severity: 'medium' });
    assert.equal(r.status, 201, r.text);
  }
  let r = await responder.get('/api/v1/incidents?q=thay%20doi%20giao%20dien&limit=2');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.items.length, 2);
  assert.ok(r.json.next_cursor);
  const first = r.json.items.map((i) => i.id);
  r = await responder.get(`/api/v1/incidents?q=thay%20doi%20giao%20dien&limit=2&cursor=${encodeURIComponent(r.json.next_cursor)}`);
  assert.equal(r.json.items.length, 1);
  assert.ok(!first.includes(r.json.items[0].id));
  r = await responder.get('/api/v1/incidents?scenario=defacement&phase=received');
  assert.equal(r.json.items.length, 3);
  r = await responder.get('/api/v1/incidents?phase=nonsense');
  assert.equal(r.status, 400);
  r = await responder.get('/api/v1/incidents?q=%22%20OR%20*');
  assert.equal(r.status, 200, 'search text never reaches FTS5 as syntax');

  // The words of a query may come from different records of the incident (its title, an
  // observable, the timeline), in the newest-first order of the list; older pages by cursor.
  const made = [];
  for (let n = 0; n < 3; n++) {
    const incident = (await responder.post('/api/v1/incidents', { title: `Quét cổng hàng loạt ${n}` })).json;
    assert.equal((await responder.post(`/api/v1/incidents/${incident.id}/observables`, { kind: 'domain', value: `scanner${n}.badhost.example` })).status, 201);
    assert.equal((await responder.post(`/api/v1/incidents/${incident.id}/timeline`, { happened_at: new Date().toISOString(), text: 'Tường lửa chặn địa chỉ nguồn' })).status, 201);
    made.push(incident.id);
  }
  r = await responder.get('/api/v1/incidents?q=quet%20badhost%20tuong%20lua&limit=2');
  assert.deepEqual(r.json.items.map((i) => i.id), [made[2], made[1]]);
  r = await responder.get(`/api/v1/incidents?q=quet%20badhost%20tuong%20lua&limit=2&cursor=${encodeURIComponent(r.json.next_cursor)}`);
  assert.deepEqual(r.json.items.map((i) => i.id), [made[0]]);
  r = await responder.get('/api/v1/incidents?q=quet%20badhost%20tuong%20lua&sort=detected_at');
  assert.deepEqual(r.json.items.map((i) => i.id).sort(), [...made].sort());
  r = await responder.get('/api/v1/incidents?q=scanner1.badhost');
  assert.deepEqual(r.json.items.map((i) => i.id), [made[1]]);
});

test('bad input is refused clearly and changes nothing', async () => {
  let r = await responder.post('/api/v1/incidents', { title: 'x', scenario: 'not-a-scenario', system_ids: ['999999'] });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.errors.map((e) => e.field).sort(), ['scenario', 'system_ids']);
  r = await responder.post('/api/v1/incidents', { title: 'x', detected_at: 'yesterday' });
  assert.equal(r.status, 400);
  r = await responder.post('/api/v1/incidents', { title: 'x', detected_at: '2999-01-01T00:00:00Z' });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].code, 'in_future');
  const before = (await responder.get('/api/v1/incidents?limit=1000')).json.items.length;
  r = await responder.post('/api/v1/incidents', { title: '' });
  assert.equal(r.status, 400);
  const afterCount = (await responder.get('/api/v1/incidents?limit=1000')).json.items.length;
  assert.equal(afterCount, before);
  r = await responder.post('/api/v1/incidents/1/timeline', { happened_at: new Date().toISOString(), text: 'x', techniques: ['T12'] });
  assert.equal(r.status, 400);
});

test('sharing with the provincial coordinator: it sees and works on the incident, another agency does not', async () => {
  let r = await officer.post('/api/v1/incidents', { title: 'Tấn công từ chối dịch vụ vào cổng thông tin', scenario: 'denial-of-service', severity: 'high' });
  assert.equal(r.status, 201, r.text);
  const incident = r.json;

  r = await officer.get('/api/v1/share-targets');
  const names = r.json.items.map((o) => o.name);
  assert.ok(names.includes('Sở Thông tin và Truyền thông Khánh Hòa'));
  assert.ok(names.includes('Đội ứng cứu khẩn cấp sự cố an toàn thông tin mạng tỉnh Khánh Hòa'));
  assert.ok(!names.includes('Org so-y-te'), 'agencies are not share targets');
  const province = r.json.items.find((o) => o.name === 'Sở Thông tin và Truyền thông Khánh Hòa');

  // Before sharing the coordinator sees nothing of it: the tree gives no access to data.
  assert.equal((await coordinator.get(`/api/v1/incidents/${incident.id}`)).status, 404);

  r = await responder.post(`/api/v1/incidents/${incident.id}/shares`, { organization_id: province.id });
  assert.equal(r.status, 403, 'sharing is the officer\'s');
  r = await officer.post(`/api/v1/incidents/${incident.id}/shares`, { organization_id: province.id, parts: ['tasks', 'timeline'], purpose: 'Đề nghị hỗ trợ' });
  assert.equal(r.status, 201, r.text);
  const share = r.json;
  r = await officer.post(`/api/v1/incidents/${incident.id}/shares`, { organization_id: province.id });
  assert.equal(r.status, 400, 'one active share per organisation');

  r = await coordinator.get('/api/v1/incidents?limit=1000');
  const seen = r.json.items.find((i) => i.id === incident.id);
  assert.ok(seen, 'the coordinator lists what is shared with it');
  assert.equal(seen.organization_name, 'Sở Xây dựng Khánh Hòa');
  assert.deepEqual(seen.shared_parts, ['tasks', 'timeline']);
  assert.equal(seen.can_change, false);
  assert.equal(seen.can_work, true);
  assert.deepEqual(seen.steps, []);
  r = await coordinator.post(`/api/v1/incidents/${incident.id}/tasks`, { title: 'Điều phối nhà cung cấp dịch vụ lọc lưu lượng' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.organization_id !== incident.organization_id, true);
  r = await coordinator.post(`/api/v1/incidents/${incident.id}/timeline`, { happened_at: new Date().toISOString(), text: 'VNCERT/CC đã được thông báo' });
  assert.equal(r.status, 201, r.text);
  r = await coordinator.post(`/api/v1/incidents/${incident.id}/transitions`, { step: 'start-verification' }, { headers: { 'If-Match': `"${incident.version}"` } });
  assert.equal(r.status, 403, 'a coordinator does not drive the agency\'s workflow');
  r = await coordinator.patch(`/api/v1/incidents/${incident.id}`, { title: 'x' }, { headers: { 'If-Match': `"${incident.version}"` } });
  assert.equal(r.status, 403);

  // Another agency under the same coordinator sees nothing.
  assert.equal((await otherAgency.get(`/api/v1/incidents/${incident.id}`)).status, 404);
  assert.ok(!(await otherAgency.get('/api/v1/incidents?limit=1000')).json.items.some((i) => i.id === incident.id));

  // The agency sees the coordinator's task; revoking ends the coordinator's access.
  r = await officer.get(`/api/v1/incidents/${incident.id}/tasks`);
  assert.ok(r.json.items.some((t) => t.title.startsWith('Điều phối')));
  r = await officer.post(`/api/v1/incidents/${incident.id}/shares/${share.id}/revoke`);
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.revoked_at);
  assert.equal((await coordinator.get(`/api/v1/incidents/${incident.id}`)).status, 404);
  r = await officer.get(`/api/v1/incidents/${incident.id}/timeline`);
  assert.equal(r.json.items.filter((e) => e.kind === 'share').length, 2);
});

test('support from the national coordinator, members from other organisations, comments across agencies', async () => {
  addUser(server.dataDir, 'vncert', 'chuyen.gia.vncert', 'responder');
  const national = await signedIn(server.url, 'chuyen.gia.vncert', PASSWORD);
  let r = await officer.post('/api/v1/incidents', { title: 'Mã độc tống tiền mã hóa máy chủ một cửa', scenario: 'ransomware', severity: 'critical' });
  const incident = r.json;
  const vncert = (await officer.get('/api/v1/share-targets')).json.items.find((o) => o.kind === 'national');
  assert.ok(vncert, 'the national coordinator is a share target');
  assert.equal((await national.get(`/api/v1/incidents/${incident.id}`)).status, 404);

  // Bad requests change nothing.
  r = await officer.post(`/api/v1/incidents/${incident.id}/support-requests`, { organization_id: vncert.id, kinds: ['magic'], detail: '' });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json.errors.map((e) => e.field.replace(/\[.*/, '')).sort(), ['detail', 'kinds']);
  r = await responder.post(`/api/v1/incidents/${incident.id}/support-requests`, { organization_id: vncert.id, kinds: ['forensics'], detail: 'x' });
  assert.equal(r.status, 403, 'asking for support is the officer\'s, like sharing');
  assert.equal((await national.get(`/api/v1/incidents/${incident.id}`)).status, 404);

  // The request shares the incident with the national coordinator, which answers it.
  r = await officer.post(`/api/v1/incidents/${incident.id}/support-requests`, {
    organization_id: vncert.id, kinds: ['forensics', 'malware-analysis'], detail: 'Đề nghị hỗ trợ phân tích mẫu mã độc và điều tra số', parts: ['tasks', 'timeline', 'evidence'] });
  assert.equal(r.status, 201, r.text);
  const request = r.json;
  assert.equal(request.status, 'requested');
  assert.ok(request.share_id);
  const shares = (await officer.get(`/api/v1/incidents/${incident.id}/shares`)).json.items;
  assert.deepEqual(shares.find((s) => s.id === request.share_id).parts, ['tasks', 'timeline', 'evidence']);
  r = await national.get(`/api/v1/incidents/${incident.id}/support-requests`);
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  r = await national.post(`/api/v1/incidents/${incident.id}/support-requests/${request.id}/answer`, { status: 'completed' });
  assert.equal(r.status, 409, 'completed only after accepted');
  r = await national.post(`/api/v1/incidents/${incident.id}/support-requests/${request.id}/answer`, { status: 'declined' });
  assert.equal(r.status, 400, 'a refusal says why');
  r = await officer.post(`/api/v1/incidents/${incident.id}/support-requests/${request.id}/answer`, { status: 'accepted' });
  assert.equal(r.status, 409, 'the agency does not accept its own request');
  r = await national.post(`/api/v1/incidents/${incident.id}/support-requests/${request.id}/answer`, { status: 'accepted', response: 'Cử 02 chuyên gia hỗ trợ từ xa' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'accepted');
  assert.equal((await otherAgency.get(`/api/v1/incidents/${incident.id}/support-requests`)).status, 404);

  // The expert joins the team and is given a task; the agency sees who they are.
  r = await officer.get(`/api/v1/incidents/${incident.id}/member-candidates`);
  assert.equal(r.status, 200);
  const expert = r.json.items.find((u) => u.display_name === 'chuyen.gia.vncert');
  assert.ok(expert, 'users of an organisation the incident is shared with may join');
  assert.equal(expert.organization_id, vncert.id);
  assert.ok(!r.json.items.some((u) => u.organization_name === 'Org so-y-te'), 'nobody from an agency it is not shared with');
  const yTe = (await otherAgency.get('/api/v1/me')).json;
  r = await officer.post(`/api/v1/incidents/${incident.id}/members`, { user_id: yTe.id, role: 'expert' });
  assert.equal(r.status, 400, 'a user of an agency it is not shared with cannot join');
  r = await officer.post(`/api/v1/incidents/${incident.id}/members`, { user_id: expert.user_id, role: 'wizard' });
  assert.equal(r.status, 400);
  r = await officer.post(`/api/v1/incidents/${incident.id}/members`, { user_id: expert.user_id, role: 'expert' });
  assert.equal(r.status, 201, r.text);
  const member = r.json;
  assert.equal(member.organization_id, vncert.id);
  r = await officer.post(`/api/v1/incidents/${incident.id}/members`, { user_id: expert.user_id, role: 'expert' });
  assert.equal(r.status, 400, 'already a member');
  r = await officer.post(`/api/v1/incidents/${incident.id}/tasks`, { title: 'Phân tích mẫu mã độc', assignee_id: expert.user_id });
  assert.equal(r.status, 201, r.text);
  r = await officer.post(`/api/v1/incidents/${incident.id}/tasks`, { title: 'x', assignee_id: yTe.id });
  assert.equal(r.status, 400, 'tasks go to the agency or to members');

  // Comments: the agency and the national coordinator discuss; another agency sees nothing.
  r = await national.post(`/api/v1/incidents/${incident.id}/comments`, { text: 'Mẫu thuộc họ LockBit 3.0, không giải mã được' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.organization_id, vncert.id);
  r = await officer.post(`/api/v1/incidents/${incident.id}/comments`, { text: '' });
  assert.equal(r.status, 400);
  r = await officer.post(`/api/v1/incidents/${incident.id}/comments`, { text: 'Đã khôi phục từ bản sao lưu ngoại tuyến' });
  assert.equal(r.status, 201);
  r = await officer.get(`/api/v1/incidents/${incident.id}/comments`);
  assert.deepEqual(r.json.items.map((c) => c.organization_name), [vncert.name, 'Sở Xây dựng Khánh Hòa']);
  r = await staff.post(`/api/v1/incidents/${incident.id}/comments`, { text: 'x' });
  assert.equal(r.status, 403, 'a viewer reads, does not write');
  assert.equal((await otherAgency.get(`/api/v1/incidents/${incident.id}/comments`)).status, 404);
  r = await officer.get(`/api/v1/incidents?q=${encodeURIComponent('LockBit')}`);
  assert.ok(r.json.items.some((i) => i.id === incident.id), 'comments are searched');

  // Revoking the share ends the membership and withdraws the open request.
  r = await officer.post(`/api/v1/incidents/${incident.id}/shares/${request.share_id}/revoke`);
  assert.equal(r.status, 200, r.text);
  r = await officer.get(`/api/v1/incidents/${incident.id}/members`);
  assert.ok(r.json.items.find((m) => m.id === member.id).removed_at);
  r = await officer.get(`/api/v1/incidents/${incident.id}/support-requests`);
  assert.equal(r.json.items[0].status, 'withdrawn');
  assert.equal((await national.get(`/api/v1/incidents/${incident.id}`)).status, 404);
  r = await officer.get('/api/v1/audit?limit=50');
  for (const action of ['incident.support.request', 'incident.member.add', 'incident.member.remove', 'incident.comment.create'])
    assert.ok(r.json.items.some((e) => e.action === action), action);
});

test('a spokesperson is named and every public statement is logged', async () => {
  let r = await officer.post('/api/v1/incidents', { title: 'Lộ lọt dữ liệu hồ sơ cấp phép xây dựng', scenario: 'espionage', severity: 'critical' });
  let incident = r.json;
  const me = (await officer.get('/api/v1/me')).json;
  r = await officer.patch(`/api/v1/incidents/${incident.id}`, { spokesperson_id: me.id }, { headers: { 'If-Match': `"${incident.version}"` } });
  assert.equal(r.status, 200, r.text);
  incident = r.json;
  assert.equal(incident.spokesperson_id, me.id);
  r = await officer.post(`/api/v1/incidents/${incident.id}/statements`, { text: 'Sở Xây dựng đang phối hợp xử lý sự cố', channel: 'Cổng thông tin điện tử' });
  assert.equal(r.status, 400, 'who approved it is required');
  r = await officer.post(`/api/v1/incidents/${incident.id}/statements`, { text: 'Sở Xây dựng đang phối hợp xử lý sự cố', channel: 'Cổng thông tin điện tử', approved_by: 'Giám đốc Sở' });
  assert.equal(r.status, 201, r.text);
  r = await staff.get(`/api/v1/incidents/${incident.id}/statements`);
  assert.equal(r.json.items.length, 1);
});

test('observables are normalised, deduplicated, and seen across the incidents a user may see', async () => {
  const first = (await responder.post('/api/v1/incidents', { title: 'Thư lừa đảo giả mạo Sở Tài chính', scenario: 'phishing', severity: 'medium' })).json;
  const second = (await responder.post('/api/v1/incidents', { title: 'Tài khoản thư điện tử bị chiếm quyền', scenario: 'unauthorised-access', severity: 'high' })).json;
  let r = await responder.post(`/api/v1/incidents/${first.id}/observables`, { kind: 'url', value: 'hxxps://Dang-Nhap[.]Example[.]com/login', is_ioc: true, tags: ['phishing'] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.value, 'https://dang-nhap.example.com/login');
  assert.equal(r.json.original, 'hxxps://Dang-Nhap[.]Example[.]com/login');
  r = await responder.post(`/api/v1/incidents/${first.id}/observables`, { kind: 'url', value: 'https://dang-nhap.example.com/login' });
  assert.equal(r.status, 400, 'the same thing twice is refused');
  assert.equal(r.json.errors[0].code, 'taken');
  r = await responder.post(`/api/v1/incidents/${first.id}/observables`, { kind: 'ip', value: '300.1.1.1' });
  assert.equal(r.status, 400);
  assert.equal(r.json.errors[0].field, 'value');
  r = await responder.post(`/api/v1/incidents/${first.id}/observables`, { kind: 'domain', value: 'xâydựng-khanhhoa[.]vn' });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.value, /^xn--/);

  r = await responder.post(`/api/v1/incidents/${second.id}/observables`, { kind: 'url', value: 'https://DANG-NHAP.example.com/login' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.sightings.map((x) => x.incident_id), [first.id], 'seen in the first incident');

  // Another agency with the same value sees only its own incidents.
  const theirs = (await otherAgency.post('/api/v1/incidents', { title: 'Phishing', scenario: 'phishing', severity: 'low' })).json;
  r = await otherAgency.post(`/api/v1/incidents/${theirs.id}/observables`, { kind: 'url', value: 'https://dang-nhap.example.com/login' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.sightings, []);

  r = await responder.get(`/api/v1/incidents/${first.id}/observables`);
  const url = r.json.items.find((o) => o.kind === 'url');
  assert.deepEqual(url.sightings.map((x) => x.incident_id), [second.id]);
  r = await responder.patch(`/api/v1/incidents/${first.id}/observables/${url.id}`, { tags: ['phishing', 'credential-harvesting'], note: 'Trang giả mạo cổng thư điện tử' });
  assert.equal(r.status, 200, r.text);
  r = await responder.get('/api/v1/incidents?q=gia%20mao%20cong%20thu');
  assert.ok(r.json.items.some((i) => i.id === first.id), 'observable notes are searchable');
  r = await responder.delete(`/api/v1/incidents/${first.id}/observables/${url.id}`);
  assert.equal(r.status, 204, r.text);
  r = await officer.get(`/api/v1/audit?action=incident.observable.delete&limit=5`);
  assert.equal(r.json.items[0].changes.value, 'https://dang-nhap.example.com/login');
});

test('follow-up actions outlive the incident; duplicates merge; statistics leave drills out', async () => {
  // A drill and a real incident of the same scenario.
  let r = await responder.post('/api/v1/incidents', { title: 'Diễn tập: mã độc mã hóa', scenario: 'ransomware', severity: 'high', is_drill: true });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.is_drill, true);
  const before = (await officer.get('/api/v1/stats/incidents')).json;
  const withDrills = (await officer.get('/api/v1/stats/incidents?drills=true')).json;
  assert.equal(withDrills.total, before.total + 1, 'the drill counts only when asked for');

  r = await responder.post('/api/v1/incidents', { title: 'Máy in mạng gửi thư rác', scenario: 'malware', severity: 'low' });
  let incident = r.json;
  r = await responder.post('/api/v1/incidents', { title: 'Máy in mạng gửi thư rác (báo lần 2)' });
  const duplicate = r.json;
  r = await responder.post(`/api/v1/incidents/${duplicate.id}/merge`, { into_id: duplicate.id }, { headers: { 'If-Match': `"${duplicate.version}"` } });
  assert.equal(r.status, 400, 'not into itself');
  r = await responder.post(`/api/v1/incidents/${duplicate.id}/merge`, { into_id: incident.id }, { headers: { 'If-Match': `"${duplicate.version}"` } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.merged_into, incident.id);
  assert.deepEqual(r.json.steps, []);
  r = await responder.get('/api/v1/incidents?limit=1000');
  assert.ok(!r.json.items.some((i) => i.id === duplicate.id), 'a merged duplicate leaves the list');
  r = await responder.get(`/api/v1/incidents/${incident.id}/timeline`);
  assert.ok(r.json.items.some((e) => e.kind === 'merge'));

  const stats = (await officer.get('/api/v1/stats/incidents')).json;
  assert.equal(stats.total, before.total + 1, 'the merged duplicate is not counted twice');
  assert.ok(stats.by_scenario.malware >= 1);
  assert.ok(stats.by_month[Object.keys(stats.by_month).at(-1)] >= 1);
  assert.ok(stats.time_to_contain.count >= 1, 'the walked incident has a time to contain');

  // Follow-ups: added, and completed after the incident is closed.
  const me = (await officer.get('/api/v1/me')).json;
  r = await officer.post(`/api/v1/incidents/${incident.id}/followups`, { action: 'Thay máy in hết hạn hỗ trợ' });
  assert.equal(r.status, 400, 'a follow-up needs an owner');
  r = await officer.post(`/api/v1/incidents/${incident.id}/followups`, { action: 'Thay máy in hết hạn hỗ trợ', owner_id: me.id, due_at: '2027-01-15T00:00:00Z' });
  assert.equal(r.status, 201, r.text);
  const followup = r.json;
  assert.equal(followup.owner_name, me.display_name);
  r = await officer.get('/api/v1/followups');
  assert.ok(r.json.items.some((f) => f.id === followup.id));
  incident = (await officer.get(`/api/v1/incidents/${incident.id}`)).json;
  r = await officer.post(`/api/v1/incidents/${incident.id}/transitions`, { step: 'dismiss', reason: 'Thử nghiệm' }, { headers: { 'If-Match': `"${incident.version}"` } });
  assert.equal(r.status, 200, r.text);
  r = await officer.patch(`/api/v1/incidents/${incident.id}/followups/${followup.id}`, { status: 'done' });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.done_at);
  r = await officer.get('/api/v1/followups');
  assert.ok(!r.json.items.some((f) => f.id === followup.id));
});

test('what is owed is listed across incidents, for a coordinator only what is shared with it; filters are saved per user', async () => {
  let r = await officer.post('/api/v1/incidents', { title: 'Lỗi cập nhật phần mềm một cửa', scenario: 'software-change-error', severity: 'medium' });
  const incident = r.json;
  r = await officer.get('/api/v1/obligations');
  assert.equal(r.status, 200, r.text);
  const mine = r.json.items.filter((x) => x.incident_id === incident.id);
  assert.deepEqual(mine.map((x) => x.obligation.id), ['incident-notification']);
  assert.ok(r.json.items.every((x, k, all) => k === 0 || !all[k - 1].obligation.due_at || !x.obligation.due_at || all[k - 1].obligation.due_at <= x.obligation.due_at), 'soonest due first');

  r = await coordinator.get('/api/v1/obligations');
  assert.ok(!r.json.items.some((x) => x.incident_id === incident.id), 'not shared: not listed for the coordinator');
  const province = (await officer.get('/api/v1/share-targets')).json.items.find((o) => o.name === 'Sở Thông tin và Truyền thông Khánh Hòa');
  await officer.post(`/api/v1/incidents/${incident.id}/shares`, { organization_id: province.id });
  r = await coordinator.get('/api/v1/obligations');
  const shared = r.json.items.find((x) => x.incident_id === incident.id);
  assert.ok(shared, 'shared: listed for the coordinator');
  assert.equal(shared.organization_name, 'Sở Xây dựng Khánh Hòa');
  r = await otherAgency.get('/api/v1/obligations');
  assert.ok(!r.json.items.some((x) => x.incident_id === incident.id));

  r = await responder.post('/api/v1/saved-filters', { name: 'Mã độc đang ngăn chặn', query: 'phase=containment&scenario=malware' });
  assert.equal(r.status, 201, r.text);
  r = await responder.post('/api/v1/saved-filters', { name: 'Mã độc đang ngăn chặn', query: 'phase=received' });
  assert.equal(r.status, 400, 'names are unique per user');
  assert.equal((await officer.get('/api/v1/saved-filters')).json.items.length, 0, 'filters are the user\'s own');
  const id = (await responder.get('/api/v1/saved-filters')).json.items[0].id;
  assert.equal((await officer.delete(`/api/v1/saved-filters/${id}`)).status, 404);
  assert.equal((await responder.delete(`/api/v1/saved-filters/${id}`)).status, 204);
});
