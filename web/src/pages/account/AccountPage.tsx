import { Alert, Button, Card, Col, Form, Image, Input, Row, Space, Typography, message } from 'antd';
import QRCode from 'qrcode';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Me, type Schemas } from '../../api/client';
import { LanguageSwitch } from '../../components/LanguageSwitch';
import { isFormCheck, showError } from '../../components/formErrors';

function PasswordForm() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const submit = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', '/api/v1/me/password', { current_password: v.current_password, new_password: v.new_password });
      form.resetFields();
      void message.success(t('account.passwordChanged'));
      await qc.invalidateQueries({ queryKey: ['me'] });
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  return (
    <Form form={form} layout="vertical" onFinish={() => void submit()}>
      <Form.Item name="current_password" label={t('account.currentPassword')} rules={[{ required: true, message: t('validation.required') }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <Form.Item name="new_password" label={t('account.newPassword')} extra={t('user.passwordHelp')}
        rules={[{ required: true, message: t('validation.required') }, { min: 12, message: t('validation.passwordLength') }]}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Form.Item name="confirm" label={t('account.confirmPassword')} dependencies={['new_password']}
        rules={[{ required: true, message: t('validation.required') },
          ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('new_password') ? Promise.resolve() : Promise.reject(new Error(t('validation.mismatch')))) })]}>
        <Input.Password autoComplete="new-password" />
      </Form.Item>
      <Button type="primary" htmlType="submit">{t('account.changePassword')}</Button>
    </Form>
  );
}

function TotpCard(props: { me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [enrolment, setEnrolment] = useState<{ secret: string; qr: string } | null>(null);
  const [form] = Form.useForm();
  const begin = async () => {
    try {
      const e = await api<Schemas['TotpEnrolment']>('POST', '/api/v1/me/totp');
      setEnrolment({ secret: e.secret, qr: await QRCode.toDataURL(e.otpauth_uri, { width: 220, margin: 1 }) });
    } catch (err) {
      showError(err);
    }
  };
  const confirm = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', '/api/v1/me/totp/confirm', { code: v.code });
      setEnrolment(null);
      form.resetFields();
      void message.success(t('account.totpEnabled'));
      await qc.invalidateQueries({ queryKey: ['me'] });
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const disable = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', '/api/v1/me/totp/disable', { password: v.password, code: v.code });
      form.resetFields();
      void message.success(t('account.totpDisabled'));
      await qc.invalidateQueries({ queryKey: ['me'] });
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const codeRule = { required: true, pattern: /^[0-9]{6}$/, message: t('validation.totp') };
  if (props.me.totp_enabled) {
    return (
      <Space direction="vertical" style={{ width: '100%' }}>
        <Alert type="success" showIcon message={t('account.totpOn')} />
        <Form form={form} layout="vertical" onFinish={() => void disable()}>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('validation.required') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item name="code" label={t('login.totp')} rules={[codeRule]}>
            <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" />
          </Form.Item>
          <Button danger htmlType="submit">{t('account.disableTotp')}</Button>
        </Form>
      </Space>
    );
  }
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('account.totpIntro')}</Typography.Paragraph>
      {enrolment ? (
        <>
          <Image src={enrolment.qr} alt={t('account.totpQr')} preview={false} width={220} />
          <Typography.Text>{t('account.totpSecret')} <Typography.Text code copyable data-testid="totp-secret">{enrolment.secret}</Typography.Text></Typography.Text>
          <Form form={form} layout="vertical" onFinish={() => void confirm()}>
            <Form.Item name="code" label={t('account.totpCode')} rules={[codeRule]}>
              <Input inputMode="numeric" maxLength={6} autoComplete="one-time-code" />
            </Form.Item>
            <Button type="primary" htmlType="submit">{t('account.totpConfirm')}</Button>
          </Form>
        </>
      ) : (
        <Button type="primary" onClick={() => void begin()}>{t('account.enableTotp')}</Button>
      )}
    </Space>
  );
}

function ProfileForm(props: { me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const submit = async () => {
    try {
      const v = await form.validateFields();
      qc.setQueryData(['me'], await api<Me>('PATCH', '/api/v1/me', { display_name: v.display_name }));
      void message.success(t('common.saved'));
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={{ display_name: props.me.display_name }} onFinish={() => void submit()}>
      <Form.Item label={t('user.username')}><Input value={props.me.username} disabled /></Form.Item>
      <Form.Item name="display_name" label={t('user.displayName')} rules={[{ required: true, message: t('validation.required') }, { max: 128 }]}>
        <Input />
      </Form.Item>
      <Form.Item label={t('common.language')}><LanguageSwitch signedIn /></Form.Item>
      <Button type="primary" htmlType="submit">{t('common.save')}</Button>
    </Form>
  );
}

export function AccountPage(props: { me: Me }) {
  const { t } = useTranslation();
  return (
    <Row gutter={[24, 24]}>
      <Col xs={24} lg={8}><Card title={t('account.profile')}><ProfileForm me={props.me} /></Card></Col>
      <Col xs={24} lg={8}><Card title={t('account.password')}><PasswordForm /></Card></Col>
      <Col xs={24} lg={8}><Card title={t('account.totp')}><TotpCard me={props.me} /></Card></Col>
    </Row>
  );
}

function Forced(props: { title: string; intro: string; children: React.ReactNode }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const signOut = async () => {
    await api('POST', '/api/v1/auth/logout').catch(() => undefined);
    qc.clear();
    void qc.invalidateQueries({ queryKey: ['me'] });
  };
  return (
    <div style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f3f4f6' }}>
      <Card title={props.title} style={{ width: 460 }} extra={<Button onClick={() => void signOut()}>{t('nav.signOut')}</Button>}>
        <Alert type="info" showIcon message={props.intro} style={{ marginBottom: 16 }} />
        {props.children}
      </Card>
    </div>
  );
}

export function ForcedPasswordChange(_props: { me: Me }) {
  const { t } = useTranslation();
  return <Forced title={t('account.password')} intro={t('account.mustChangePassword')}><PasswordForm /></Forced>;
}

export function ForcedTotpEnrolment(props: { me: Me }) {
  const { t } = useTranslation();
  return <Forced title={t('account.totp')} intro={t('account.mustEnrolTotp')}><TotpCard me={props.me} /></Forced>;
}
