import { Alert, Button, Card, Form, Input, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, ApiError, setCsrfToken, type Schemas } from '../../api/client';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { setLanguage } from '../../i18n';

type Values = { username: string; password: string; totp?: string };

export function LoginPage(props: { failed: unknown }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api<Schemas['LoginResult']>('POST', '/api/v1/auth/login', {
        username: v.username.trim().toLowerCase(),
        password: v.password,
        ...(needTotp && v.totp ? { totp: v.totp } : {}),
      });
      setCsrfToken(r.csrf_token);
      setLanguage(r.me.locale);
      qc.setQueryData(['me'], r.me);
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'totp_required' || err.code === 'invalid_totp')) {
        setNeedTotp(true);
        setError(err.code === 'invalid_totp' ? err.problem.title : null);
      } else if (err instanceof ApiError && err.code === 'rate_limited') {
        setError(t('login.rateLimited', { seconds: err.retryAfter ?? 60 }));
      } else if (err instanceof ApiError) {
        setError(err.problem.title);
      } else {
        setError(t('login.unreachable'));
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f3f4f6' }}>
      <Card style={{ width: 400 }}>
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
            <Typography.Title level={3} style={{ margin: 0 }}>{t('app.name')}</Typography.Title>
            <LanguageSwitch signedIn={false} />
          </div>
          <Typography.Text type="secondary">{t('app.tagline')}</Typography.Text>
          {props.failed ? <Alert type="error" message={t('login.unreachable')} /> : null}
          {error ? <Alert type="error" message={error} data-testid="login-error" /> : null}
          <Form form={form} layout="vertical" onFinish={(v) => void submit(v)} requiredMark={false}>
            <Form.Item name="username" label={t('login.username')} rules={[{ required: true, message: t('validation.required') }]}>
              <Input autoComplete="username" autoFocus readOnly={needTotp} />
            </Form.Item>
            <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('validation.required') }]}>
              <Input.Password autoComplete="current-password" readOnly={needTotp} />
            </Form.Item>
            {needTotp ? (
              <Form.Item name="totp" label={t('login.totp')} extra={t('login.totpHelp')}
                rules={[{ required: true, pattern: /^[0-9]{6}$/, message: t('validation.totp') }]}>
                <Input autoComplete="one-time-code" inputMode="numeric" maxLength={6} autoFocus />
              </Form.Item>
            ) : null}
            <Button type="primary" htmlType="submit" block loading={busy}>{t('login.submit')}</Button>
          </Form>
        </Space>
      </Card>
    </div>
  );
}
