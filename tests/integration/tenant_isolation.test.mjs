// Generated from /api/v1/openapi.json: for every operation, an anonymous caller gets 401 (unless
// the operation is public), and an administrator of agency A gets 403/404 on agency B's objects
// and changes nothing. New routes are covered without editing this file: each resource has a
// factory below, and a route whose objects no factory can create fails the test.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, PASSWORD, addOrg, addUser, signedIn, startServer } from './harness.mjs';

let server;
let doc;
let a; // administrator of agency A
let b; // administrator of agency B
let bAgency;

// Each resource: how B creates one of its objects, and how B reads it back.
const factories = {
  organization: {
    list: '/api/v1/organizations',
    async create(n) {
      const r = await b.post('/api/v1/organizations', { slug: `b-unit-${n}`, name: `B unit ${n}`, kind: 'unit', parent_id: bAgency.id });
      assert.equal(r.status, 201, r.text);
      return r.json.id;
    },
    read: (id) => b.get(`/api/v1/organizations/${id}`),
  },
  user: {
    list: '/api/v1/users',
    async create(n) {
      const r = await b.post('/api/v1/users', { username: `b.user${n}`, display_name: `B ${n}`, role: 'viewer', organization_id: bAgency.id, password: PASSWORD });
      assert.equal(r.status, 201, r.text);
      return r.json.id;
    },
    read: (id) => b.get(`/api/v1/users/${id}`),
  },
  token: {
    list: '/api/v1/tokens',
    async create(n) {
      const r = await b.post('/api/v1/tokens', { name: `b-token-${n}`, scope: 'read' });
      assert.equal(r.status, 201, r.text);
      return r.json.token.id;
    },
    read: async (id) => {
      const r = await b.get('/api/v1/tokens?limit=1000');
      return { status: r.status, json: r.json.items.find((t) => t.id === id) };
    },
  },
  system: {
    list: '/api/v1/systems',
    async create(n) {
      const r = await b.post('/api/v1/systems', { name: `B system ${n}`, security_level: 2 });
      assert.equal(r.status, 201, r.text);
      return r.json.id;
    },
    read: (id) => b.get(`/api/v1/systems/${id}`),
  },
  incident: {
    list: '/api/v1/incidents',
    async create(n) {
      const r = await b.post('/api/v1/incidents', { title: `B incident ${n}`, scenario: 'malware', severity: 'low' });
      assert.equal(r.status, 201, r.text);
      return r.json.id;
    },
    read: (id) => b.get(`/api/v1/incidents/${id}`),
  },
  task: {
    async create(n) {
      const id = await factories.incident.create(`task-${n}`);
      const r = await b.post(`/api/v1/incidents/${id}/tasks`, { title: `B task ${n}` });
      assert.equal(r.status, 201, r.text);
      return { id, task_id: r.json.id };
    },
    read: async ({ id, task_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/tasks`);
      return { status: r.status, json: r.json.items.find((t) => t.id === task_id) };
    },
  },
  approval: {
    async create(n) {
      const incident = (await b.post('/api/v1/incidents', { title: `B approval ${n}`, scenario: 'malware', severity: 'low' })).json;
      let v = incident;
      for (const body of [{ step: 'start-verification' }, { step: 'confirm' }, { step: 'start-initial-response' },
        { step: 'choose-response', response_option: 'Isolate' }, { step: 'request-approval' }]) {
        const r = await b.post(`/api/v1/incidents/${v.id}/transitions`, body, { headers: { 'If-Match': `"${v.version}"` } });
        assert.equal(r.status, 200, r.text);
        v = r.json;
      }
      const approvals = (await b.get(`/api/v1/incidents/${v.id}/approvals`)).json.items;
      return { id: v.id, approval_id: approvals[0].id };
    },
    read: async ({ id, approval_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/approvals`);
      return { status: r.status, json: r.json.items.find((a) => a.id === approval_id) };
    },
  },
  obligation: {
    list: '/api/v1/obligations',
    async create(n) {
      const id = await factories.incident.create(`obligation-${n}`);
      return `${id}/incident-notification`;
    },
  },
  saved_filter: {
    list: '/api/v1/saved-filters',
    async create(n) {
      const r = await b.post('/api/v1/saved-filters', { name: `B filter ${n}`, query: 'phase=received' });
      assert.equal(r.status, 201, r.text);
      return r.json.id;
    },
    read: async (id) => {
      const r = await b.get('/api/v1/saved-filters');
      return { status: r.status, json: r.json.items.find((x) => x.id === id) };
    },
  },
  evidence: {
    async create(n) {
      const id = await factories.incident.create(`evidence-${n}`);
      const r = await b.request('POST', `/api/v1/incidents/${id}/evidence?name=b${n}.txt&collected_by=B&collected_from=B`,
        { raw: Buffer.from(`evidence of B ${n}`), headers: { 'Content-Type': 'text/plain' } });
      assert.equal(r.status, 201, r.text);
      return { id, evidence_id: r.json.id };
    },
    read: async ({ id, evidence_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/evidence`);
      return { status: r.status, json: r.json.items.find((x) => x.id === evidence_id) };
    },
  },
  observable: {
    async create(n) {
      const id = await factories.incident.create(`observable-${n}`);
      const r = await b.post(`/api/v1/incidents/${id}/observables`, { kind: 'domain', value: `b${n}.example.com` });
      assert.equal(r.status, 201, r.text);
      return { id, observable_id: r.json.id };
    },
    read: async ({ id, observable_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/observables`);
      return { status: r.status, json: r.json.items.find((x) => x.id === observable_id) };
    },
  },
  followup: {
    list: '/api/v1/followups',
    async create(n) {
      const id = await factories.incident.create(`followup-${n}`);
      const r = await b.post(`/api/v1/incidents/${id}/followups`, { action: `B follow-up ${n}`, owner_name: 'B owner' });
      assert.equal(r.status, 201, r.text);
      return { id, followup_id: r.json.id };
    },
    read: async ({ id, followup_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/followups`);
      return { status: r.status, json: r.json.items.find((x) => x.id === followup_id) };
    },
  },
  share: {
    async create(n) {
      const id = await factories.incident.create(`share-${n}`);
      const targets = (await b.get('/api/v1/share-targets')).json.items;
      const r = await b.post(`/api/v1/incidents/${id}/shares`, { organization_id: targets[0].id });
      assert.equal(r.status, 201, r.text);
      return { id, share_id: r.json.id };
    },
    read: async ({ id, share_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/shares`);
      return { status: r.status, json: r.json.items.find((x) => x.id === share_id) };
    },
  },
  member: {
    async create(n) {
      const id = await factories.incident.create(`member-${n}`);
      const candidates = (await b.get(`/api/v1/incidents/${id}/member-candidates`)).json.items;
      const r = await b.post(`/api/v1/incidents/${id}/members`, { user_id: candidates[0].user_id, role: 'lead' });
      assert.equal(r.status, 201, r.text);
      return { id, member_id: r.json.id };
    },
    read: async ({ id, member_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/members`);
      return { status: r.status, json: r.json.items.find((x) => x.id === member_id) };
    },
  },
  support_request: {
    async create(n) {
      const id = await factories.incident.create(`support-${n}`);
      const national = (await b.get('/api/v1/share-targets')).json.items.find((o) => o.kind === 'national');
      const r = await b.post(`/api/v1/incidents/${id}/support-requests`, { organization_id: national.id, kinds: ['expert'], detail: `B asks ${n}` });
      assert.equal(r.status, 201, r.text);
      return { id, request_id: r.json.id };
    },
    read: async ({ id, request_id }) => {
      const r = await b.get(`/api/v1/incidents/${id}/support-requests`);
      return { status: r.status, json: r.json.items.find((x) => x.id === request_id) };
    },
  },
  audit: {
    list: '/api/v1/audit',
    async create(n) {
      await b.patch('/api/v1/me', { display_name: `B admin ${n}` });
      const r = await b.get('/api/v1/audit?limit=1');
      return r.json.items[0].id;
    },
    read: (id) => b.get(`/api/v1/audit/${id}`),
  },
};

before(async () => {
  server = await startServer();
  addOrg(server.dataDir, 'agency-a', 'agency', 'so-tttt-khanh-hoa');
  addOrg(server.dataDir, 'agency-b', 'agency', 'so-tttt-khanh-hoa');
  addUser(server.dataDir, 'agency-a', 'admin.a');
  addUser(server.dataDir, 'agency-b', 'admin.b');
  a = await signedIn(server.url, 'admin.a', PASSWORD);
  b = await signedIn(server.url, 'admin.b', PASSWORD);
  bAgency = (await b.get('/api/v1/organizations')).json.items.find((o) => o.slug === 'agency-b');
  doc = (await new Client(server.url).get('/api/v1/openapi.json')).json;
});
after(() => server.cleanup());

function resolve(schema) {
  if (schema?.$ref) return doc.components.schemas[schema.$ref.split('/').pop()];
  return schema;
}

// A request the operation accepts: a JSON body from its schema, or bytes for an upload.
function requestOf(op) {
  const content = op.requestBody?.content ?? {};
  if (content['application/json']) return { body: sampleBody(content['application/json'].schema), headers: {} };
  if (content['application/octet-stream']) return { raw: Buffer.from('intruder'), headers: { 'Content-Type': 'application/octet-stream' } };
  return { headers: {} };
}

// Fills a path's parameters from what a factory created: one id, or an object naming them.
function fill(path, created) {
  return path.replace(/\{([^}]+)\}/g, (_, name) => String(typeof created === 'object' ? created[name] : created));
}

// A body the schema accepts, pointing any organisation reference at agency B.
function sampleBody(schema) {
  const s = resolve(schema);
  if (!s) return undefined;
  const body = {};
  const props = Object.entries(s.properties ?? {});
  const chosen = props.filter(([k]) => (s.required ?? []).includes(k));
  const optional = props.find(([k]) => !(s.required ?? []).includes(k));
  if (optional) chosen.push(optional);
  for (const [name, p] of chosen) body[name] = sampleValue(name, resolve(p));
  return body;
}

function sampleValue(name, p) {
  if (p.enum) return name === 'role' && p.enum.includes('administrator') ? 'administrator' : name === 'kind' && p.enum.includes('unit') ? 'unit' : p.enum[0];
  const type = Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type;
  if (type === 'boolean') return true;
  if (type === 'integer') return p.minimum ?? 1;
  if (name.endsWith('_id')) return bAgency.id;
  if (name.endsWith('_at')) return new Date().toISOString();
  if (name === 'username') return 'intruder.a';
  if (name === 'slug') return 'intruder-a';
  if (name.includes('password')) return 'Intruder-Password-2026';
  if (name === 'code' || name === 'totp') return '123456';
  if (name === 'value') return '203.0.113.7';
  if (type === 'array') return [sampleValue(name, resolve(p.items ?? {}))];
  if (p.pattern === '^[a-z0-9_-]+$') return 'intruder';
  return 'Intruder';
}

function operations() {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) out.push({ path, method: method.toUpperCase(), op });
  return out;
}

const isPublic = (op) => Array.isArray(op.security) && op.security.length === 0;

test('every operation that is not public refuses an anonymous caller with 401', async () => {
  const anon = new Client(server.url);
  let checked = 0;
  for (const { path, method, op } of operations()) {
    if (isPublic(op)) continue;
    const url = path.replace(/\{[^}]+\}/g, '1');
    const r = await anon.request(method, url, requestOf(op));
    assert.equal(r.status, 401, `${method} ${path}: ${r.text}`);
    assert.equal(r.json.code, 'unauthenticated', `${method} ${path}`);
    checked++;
  }
  assert.ok(checked >= 15, `only ${checked} operations checked`);
});

test("agency A cannot read or change any of agency B's objects, on any route", async () => {
  let n = 0;
  for (const { path, method, op } of operations()) {
    if (!path.includes('{')) continue;
    const resource = op['x-khien-resource'];
    assert.ok(resource, `${method} ${path} has path parameters but no x-khien-resource`);
    // Catalogue data (playbooks) is the same for every organisation: nobody owns it.
    if (resource === 'global') {
      assert.equal(method, 'GET', `${method} ${path}: only reads may be global`);
      continue;
    }
    const factory = factories[resource];
    assert.ok(factory, `${method} ${path}: no factory creates "${resource}" objects; add one to tenant_isolation.test.mjs`);
    const id = await factory.create(n++);
    const before = await factory.read(id);
    assert.equal(before.status, 200, `${resource} ${id} is readable by its owner`);
    const req = requestOf(op);
    if ((op.parameters ?? []).some((p) => p.in === 'header' && p.name === 'If-Match')) req.headers['If-Match'] = '"1"';
    const r = await a.request(method, fill(path, id), req);
    assert.ok(r.status === 403 || r.status === 404, `${method} ${path} by agency A answered ${r.status}: ${r.text}`);
    const afterRead = await factory.read(id);
    assert.deepEqual(afterRead.json, before.json, `${method} ${path} changed B's ${resource}`);
  }
  assert.ok(n >= 7, `only ${n} operations checked`);
});

test("agency A's lists never contain agency B's objects", async () => {
  const owned = {};
  for (const [resource, f] of Object.entries(factories)) {
    if (!f.list) continue;
    const created = await f.create(100 + Object.keys(owned).length);
    owned[resource] = new Set([String(typeof created === 'object' ? created[`${resource}_id`] : created)]);
  }
  const lists = operations().filter(({ path, method, op }) => method === 'GET' && !path.includes('{') && !isPublic(op)
    && resolve(op.responses['200']?.content?.['application/json']?.schema)?.properties?.items);
  assert.ok(lists.length >= 4);
  for (const { path, op } of lists) {
    if (op['x-khien-resource'] === 'global') continue;  // the same catalogue for everyone
    const resource = Object.keys(factories).find((r) => factories[r].list === path);
    assert.ok(resource, `GET ${path} lists objects that no factory creates; add one to tenant_isolation.test.mjs`);
    const paged = (op.parameters ?? []).some((p) => p.name === 'limit');
    const r = await a.get(paged ? `${path}?limit=1000` : path);
    assert.equal(r.status, 200);
    for (const item of r.json.items) assert.ok(!owned[resource].has(item.id), `GET ${path} shows B's ${resource} ${item.id}`);
  }
});

test("agency A cannot create anything inside agency B", async () => {
  for (const { path, method, op } of operations()) {
    if (method !== 'POST' || path.includes('{') || !op.requestBody) continue;
    const schema = resolve(op.requestBody.content['application/json'].schema);
    const refs = Object.keys(schema.properties ?? {}).filter((k) => k === 'organization_id' || k === 'parent_id');
    if (refs.length === 0) continue;
    const body = sampleBody(schema);
    for (const k of refs) body[k] = bAgency.id;
    const r = await a.post(path, body);
    assert.ok(r.status === 403 || r.status === 404, `POST ${path} into agency B answered ${r.status}: ${r.text}`);
  }
  const users = (await b.get('/api/v1/users?q=intruder')).json.items;
  assert.equal(users.length, 0);
});
