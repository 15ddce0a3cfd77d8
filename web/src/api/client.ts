// The one fetch wrapper: session cookie, CSRF header, language, and problem+json errors.
import type { components } from './schema';
import i18n from '../i18n';

export type Schemas = components['schemas'];
export type Me = Schemas['Me'];
export type Organization = Schemas['Organization'];
export type User = Schemas['User'];
export type ApiToken = Schemas['ApiToken'];
export type AuditEntry = Schemas['AuditEntry'];
export type Problem = Schemas['Problem'];
export type Incident = Schemas['Incident'];
export type Obligation = Schemas['Obligation'];
export type Task = Schemas['Task'];
export type TimelineEntry = Schemas['TimelineEntry'];
export type Approval = Schemas['Approval'];
export type Submission = Schemas['Submission'];
export type Transition = Schemas['Transition'];
export type InfoSystem = Schemas['System'];
export type Taxonomy = Schemas['Taxonomy'];
export type Page<T> = { items: T[]; next_cursor: string | null };

let csrfToken = '';
export function setCsrfToken(token: string | undefined) {
  csrfToken = token ?? '';
}

export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;
  readonly retryAfter: number | null;
  constructor(status: number, problem: Problem, retryAfter: number | null) {
    super(problem.title);
    this.status = status;
    this.problem = problem;
    this.retryAfter = retryAfter;
  }
  get code() {
    return this.problem.code;
  }
}

// `ifMatch`: the version of the object the change is based on (lost updates are refused).
export async function api<T>(method: string, path: string, body?: unknown, opts?: { ifMatch?: number }): Promise<T> {
  const headers: Record<string, string> = { 'Accept-Language': i18n.language === 'en' ? 'en' : 'vi' };
  if (opts?.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const type = res.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await res.json() : null;
  if (!res.ok) {
    const problem: Problem = data ?? { type: 'about:blank', title: res.statusText, status: res.status, code: 'http_error' };
    const retry = res.headers.get('Retry-After');
    throw new ApiError(res.status, problem, retry ? Number(retry) : null);
  }
  return data as T;
}

export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

// Uploads a file as the request body (evidence), with the rest of the facts in the query.
export async function uploadFile<T>(path: string, file: File, params: Record<string, string | undefined>): Promise<T> {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const res = await fetch(`${path}?${q.toString()}`, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Accept-Language': i18n.language === 'en' ? 'en' : 'vi', 'Content-Type': file.type || 'application/octet-stream',
      ...(csrfToken ? { 'X-CSRF-Token': csrfToken } : {}) },
    body: file,
  });
  const data = (res.headers.get('Content-Type') ?? '').includes('json') ? await res.json() : null;
  if (!res.ok) {
    throw new ApiError(res.status, data ?? { type: 'about:blank', title: res.statusText, status: res.status, code: 'http_error' }, null);
  }
  return data as T;
}
