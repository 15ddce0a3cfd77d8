// Starts the real khien binary on a free port with a temporary data directory, and the one
// HTTP client the integration and browser tests use.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = process.env.KHIEN_BIN ?? join(root, 'build/asan/khien');
export const PASSWORD = 'Correct-Horse-Battery-9';

export async function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

export function tempDir(prefix = 'khien-it-') {
  return mkdtempSync(join(tmpdir(), prefix));
}

// Runs a khien subcommand to completion.
export function cli(args, { input, env } = {}) {
  // Messages in English unless a test asks for another language (the CLI follows LC_ALL/LANG).
  const r = spawnSync(BIN, args, { input, env: { ...process.env, LC_ALL: 'C.UTF-8', ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Starts `khien serve`. demo: load the demo organisations (admin password parsed from stdout).
export async function startServer({ env = {}, demo = true, webDir, args = [], dataDir } = {}) {
  const port = await freePort();
  dataDir ??= tempDir();
  const argv = ['serve', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, ...args];
  if (demo) argv.push('--demo');
  const dir = webDir ?? process.env.KHIEN_WEB_DIR;
  if (dir) argv.push('--web-dir', dir);
  const proc = spawn(BIN, argv, { env: { ...process.env, LC_ALL: 'C.UTF-8', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((ok) => proc.once('exit', (code, signal) => ok(code ?? signal)));
  await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`khien did not start within 60 s\n${stdout}\n${stderr}`)), 60_000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.includes('listening on ')) {
        clearTimeout(timer);
        ok();
      }
    });
    exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`khien exited (${code}) before listening\n${stdout}\n${stderr}`));
    });
  });
  const admin = demo
    ? { username: /^username: (.*)$/m.exec(stdout)?.[1], password: /^password: (.*)$/m.exec(stdout)?.[1] }
    : null;
  const server = {
    url: `http://127.0.0.1:${port}`,
    port,
    dataDir,
    admin,
    proc,
    exited,
    get stderr() {
      return stderr;
    },
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      return exited;
    },
    async cleanup() {
      await server.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

// RFC 6238 code for a base32 secret at a time (ms).
export function totp(base32, at = Date.now()) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 1000 / 30)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const o = mac[19] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

// The HTTP client: keeps the session cookie, sends the CSRF token on changes.
export class Client {
  constructor(base, { bearer, language } = {}) {
    this.base = base;
    this.cookie = '';
    this.csrf = '';
    this.bearer = bearer;
    this.language = language;
  }

  async request(method, path, { body, headers = {}, raw } = {}) {
    const h = { ...headers };
    if (this.cookie) h.Cookie = this.cookie;
    if (this.bearer) h.Authorization = `Bearer ${this.bearer}`;
    if (this.language) h['Accept-Language'] = this.language;
    if (this.csrf && method !== 'GET' && !('X-CSRF-Token' in h)) h['X-CSRF-Token'] = this.csrf;
    let payload = raw;
    if (body !== undefined) {
      h['Content-Type'] ??= 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(this.base + path, { method, headers: h, body: payload, redirect: 'manual' });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie?.startsWith('khien_session=')) this.cookie = setCookie.split(';')[0];
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  get(path, opts) {
    return this.request('GET', path, opts);
  }
  post(path, body, opts = {}) {
    return this.request('POST', path, { ...opts, body });
  }
  patch(path, body, opts = {}) {
    return this.request('PATCH', path, { ...opts, body });
  }
  delete(path, opts) {
    return this.request('DELETE', path, opts);
  }

  async login(username, password, totpCode) {
    const r = await this.post('/api/v1/auth/login', { username, password, ...(totpCode ? { totp: totpCode } : {}) });
    if (r.status === 200) this.csrf = r.json.csrf_token;
    return r;
  }
}

// Signs in, failing the test with the server's answer when it does not work.
export async function signedIn(url, username, password) {
  const c = new Client(url);
  const r = await c.login(username, password);
  if (r.status !== 200) throw new Error(`sign-in of ${username} failed: ${r.status} ${r.text}`);
  return c;
}

// Adds a user from the command line (while the server runs: SQLite serialises the writers).
export function addUser(dataDir, org, username, role = 'administrator', password = PASSWORD) {
  const r = cli(['user', 'add', '--data-dir', dataDir, '--org', org, '--username', username, '--role', role, '--password-stdin'], {
    input: `${password}\n`,
  });
  if (r.code !== 0) throw new Error(`user add ${username}: ${r.stderr}`);
}

export function addOrg(dataDir, slug, kind, parent) {
  const args = ['org', 'add', '--data-dir', dataDir, '--slug', slug, '--name', `Org ${slug}`, '--kind', kind];
  if (parent) args.push('--parent', parent);
  const r = cli(args);
  if (r.code !== 0) throw new Error(`org add ${slug}: ${r.stderr}`);
}
