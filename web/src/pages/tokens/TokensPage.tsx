import { Button, Card, Form, Input, InputNumber, Modal, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ApiToken, type Page, type Schemas } from '../../api/client';
import { isFormCheck, showError } from '../../components/formErrors';
import { SecretOnce } from '../../components/SecretOnce';
import { showTime } from '../../components/time';

export function TokensPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm();
  const tokens = useQuery({ queryKey: ['tokens'], queryFn: () => api<Page<ApiToken>>('GET', '/api/v1/tokens?limit=1000') });

  const create = async () => {
    try {
      const v = await form.validateFields();
      const r = await api<Schemas['ApiTokenCreated']>('POST', '/api/v1/tokens', {
        name: v.name, scope: v.scope, ...(v.expires_in_days ? { expires_in_days: v.expires_in_days } : {}),
      });
      setCreating(false);
      setSecret(r.secret);
      await qc.invalidateQueries({ queryKey: ['tokens'] });
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const revoke = (tok: ApiToken) =>
    Modal.confirm({
      title: t('token.revokeConfirm', { name: tok.name }),
      okText: t('token.revoke'), okButtonProps: { danger: true }, cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          await api('DELETE', `/api/v1/tokens/${tok.id}`);
          await qc.invalidateQueries({ queryKey: ['tokens'] });
        } catch (err) {
          showError(err);
        }
      },
    });

  return (
    <Card title={t('token.title')}
      extra={<Button type="primary" onClick={() => { form.resetFields(); form.setFieldsValue({ scope: 'read', expires_in_days: 90 }); setCreating(true); }}>{t('token.create')}</Button>}>
      <Table<ApiToken> rowKey="id" loading={tokens.isPending} dataSource={tokens.data?.items ?? []} pagination={false}
        columns={[
          { title: t('token.name'), dataIndex: 'name' },
          { title: t('token.scope'), dataIndex: 'scope', render: (s: string) => t(`token.scopes.${s}`) },
          { title: t('token.prefix'), dataIndex: 'prefix', render: (p: string) => <code>{p}…</code> },
          { title: t('common.createdAt'), dataIndex: 'created_at', render: showTime },
          { title: t('token.expires'), dataIndex: 'expires_at', render: (v: string | null) => (v ? showTime(v) : t('token.never')) },
          { title: t('token.lastUsed'), dataIndex: 'last_used_at', render: showTime },
          {
            title: t('user.status'), key: 'status',
            render: (_: unknown, tok: ApiToken) =>
              tok.revoked_at ? <Tag>{t('token.revoked')}</Tag> : <Button size="small" danger onClick={() => revoke(tok)}>{t('token.revoke')}</Button>,
          },
        ]} />
      <Modal open={creating} title={t('token.create')} onOk={() => void create()} onCancel={() => setCreating(false)}
        okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('token.name')} rules={[{ required: true, message: t('validation.required') }, { max: 64 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="scope" label={t('token.scope')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={['read', 'read-write'].map((s) => ({ value: s, label: t(`token.scopes.${s}`) }))} />
          </Form.Item>
          <Form.Item name="expires_in_days" label={t('token.expiresInDays')} extra={t('token.expiresHelp')}>
            <InputNumber min={1} max={366} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      </Modal>
      <SecretOnce title={t('token.secretTitle')} secret={secret} onClose={() => setSecret(null)} />
    </Card>
  );
}
