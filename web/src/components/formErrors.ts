import type { FormInstance } from 'antd';
import { message } from 'antd';
import { ApiError } from '../api/client';

// Puts per-field errors of a problem+json answer on the form's fields; anything else is shown
// as a message. Returns nothing; the caller's form stays as the user left it.
export function showError(err: unknown, form?: FormInstance) {
  if (err instanceof ApiError) {
    const fields = err.problem.errors ?? [];
    if (form && fields.length > 0) {
      const known = new Set(Object.keys(form.getFieldsValue(true)));
      const onForm = fields.filter((f) => known.has(f.field));
      form.setFields(onForm.map((f) => ({ name: f.field, errors: [f.message] })));
      const rest = fields.filter((f) => !known.has(f.field));
      if (rest.length > 0) void message.error(`${err.problem.title}: ${rest.map((f) => `${f.field}: ${f.message}`).join('; ')}`);
      return;
    }
    void message.error(err.problem.detail ? `${err.problem.title} (${err.problem.detail})` : err.problem.title);
    return;
  }
  void message.error(String(err));
}

// True when a form's own validation stopped the submit (its fields already show why).
export function isFormCheck(err: unknown) {
  return !!err && typeof err === 'object' && 'errorFields' in err;
}
