import { Button, Card, Form, Input, Modal, Select, Space, Switch, Table, Tag, TreeSelect } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, query, type Me, type Organization, type Page, type User } from '../../api/client';
import { can, useOrganizations } from '../../api/hooks';
import { isFormCheck, showError } from '../../components/formErrors';
import { SecretOnce } from '../../components/SecretOnce';
import { showTime } from '../../components/time';

const kRoles = ['administrator', 'security-officer', 'responder', 'viewer', 'auditor', 'director'];

// Organisations of the user's own agency (its units included), as a tree to pick from.
type OrgOption = { value: string; title: string; children: OrgOption[] };
function ownTree(orgs: Organization[], rootId: string): OrgOption[] {
  const build = (id: string): OrgOption => {
    const o = orgs.find((x) => x.id === id)!;
    return { value: o.id, title: o.name, children: orgs.filter((c) => c.parent_id === id && c.kind === 'unit').map((c) => build(c.id)) };
  };
  return orgs.some((o) => o.id === rootId) ? [build(rootId)] : [];
}

export function UsersPage(props: { me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const orgs = useOrganizations();
  const [orgFilter, setOrgFilter] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [secret, setSecret] = useState<string | null>(null);
  const [form] = Form.useForm();
  const users = useQuery({
    queryKey: ['users', orgFilter, text],
    queryFn: () => api<Page<User>>('GET', `/api/v1/users${query({ limit: 1000, organization_id: orgFilter, q: text })}`),
  });
  const orgList = orgs.data?.items ?? [];
  const tenantId = useMemo(() => {
    // The agency a unit belongs to: climb while the organisation is a unit.
    let o = orgList.find((x) => x.id === props.me.organization.id);
    while (o && o.kind === 'unit' && o.parent_id) o = orgList.find((x) => x.id === o!.parent_id);
    return o?.id ?? props.me.organization.id;
  }, [orgList, props.me.organization.id]);
  const tree = ownTree(orgList, tenantId);
  const orgName = (id: string) => orgList.find((o) => o.id === id)?.name ?? id;

  const open = (u: User | 'new') => {
    form.resetFields();
    if (u !== 'new') form.setFieldsValue({ display_name: u.display_name, email: u.email, role: u.role, organization_id: u.organization_id, disabled: u.disabled });
    else form.setFieldsValue({ role: 'viewer', organization_id: tenantId });
    setEditing(u);
  };
  const save = async () => {
    try {
      const v = await form.validateFields();
      if (editing === 'new') await api('POST', '/api/v1/users', { ...v, email: v.email ?? '' });
      else if (editing) await api('PATCH', `/api/v1/users/${editing.id}`, { ...v, email: v.email ?? '' });
      setEditing(null);
      await qc.invalidateQueries({ queryKey: ['users'] });
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const reset = (u: User) =>
    Modal.confirm({
      title: t('user.resetConfirm', { name: u.username }),
      okText: t('user.resetPassword'),
      cancelText: t('common.cancel'),
      onOk: async () => {
        try {
          const r = await api<{ password: string }>('POST', `/api/v1/users/${u.id}/reset-password`);
          setSecret(r.password);
        } catch (err) {
          showError(err);
        }
      },
    });

  return (
    <Card title={t('user.title')}
      extra={can(props.me, 'user.create') ? <Button type="primary" onClick={() => open('new')}>{t('user.add')}</Button> : null}>
      <Space style={{ marginBottom: 16 }} wrap>
        <TreeSelect allowClear treeDefaultExpandAll style={{ width: 300 }} placeholder={t('user.filterOrg')}
          treeData={tree} value={orgFilter} onChange={(v) => setOrgFilter(v)} aria-label={t('user.filterOrg')} />
        <Input.Search allowClear placeholder={t('user.search')} onSearch={setText} style={{ width: 260 }} aria-label={t('user.search')} />
      </Space>
      <Table<User> rowKey="id" loading={users.isPending} dataSource={users.data?.items ?? []} pagination={{ pageSize: 20 }}
        columns={[
          { title: t('user.username'), dataIndex: 'username' },
          { title: t('user.displayName'), dataIndex: 'display_name' },
          { title: t('user.role'), dataIndex: 'role', render: (r: string) => t(`role.${r}`) },
          { title: t('user.organization'), dataIndex: 'organization_id', render: orgName },
          { title: t('user.totp'), dataIndex: 'totp_enabled', render: (v: boolean) => (v ? t('common.on') : t('common.off')) },
          { title: t('user.status'), dataIndex: 'disabled', render: (v: boolean) => <Tag color={v ? 'default' : 'green'}>{v ? t('user.disabled') : t('user.active')}</Tag> },
          { title: t('user.lastLogin'), dataIndex: 'last_login_at', render: showTime },
          {
            title: t('common.actions'), key: 'actions',
            render: (_: unknown, u: User) => (
              <Space>
                {can(props.me, 'user.update') ? <Button size="small" onClick={() => open(u)}>{t('common.edit')}</Button> : null}
                {can(props.me, 'user.reset_password') ? <Button size="small" onClick={() => reset(u)}>{t('user.resetPassword')}</Button> : null}
              </Space>
            ),
          },
        ]} />
      <Modal open={editing !== null} title={editing === 'new' ? t('user.add') : t('common.edit')} onOk={() => void save()}
        onCancel={() => setEditing(null)} okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={form} layout="vertical">
          {editing === 'new' ? (
            <Form.Item name="username" label={t('user.username')} extra={t('user.usernameHelp')}
              rules={[{ required: true, message: t('validation.required') }, { pattern: /^[a-z0-9][a-z0-9._-]{2,63}$/, message: t('validation.username') }]}>
              <Input autoComplete="off" />
            </Form.Item>
          ) : null}
          <Form.Item name="display_name" label={t('user.displayName')} rules={[{ required: true, message: t('validation.required') }, { max: 128 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="email" label={t('user.email')} rules={[{ type: 'email', message: t('validation.email') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="role" label={t('user.role')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={kRoles.map((r) => ({ value: r, label: t(`role.${r}`) }))} />
          </Form.Item>
          <Form.Item name="organization_id" label={t('user.organization')} rules={[{ required: true, message: t('validation.required') }]}>
            <TreeSelect treeData={tree} treeDefaultExpandAll />
          </Form.Item>
          {editing === 'new' ? (
            <Form.Item name="password" label={t('user.initialPassword')} extra={t('user.passwordHelp')}
              rules={[{ required: true, message: t('validation.required') }, { min: 12, message: t('validation.passwordLength') }]}>
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          ) : (
            <Form.Item name="disabled" label={t('user.disabled')} valuePropName="checked">
              <Switch />
            </Form.Item>
          )}
        </Form>
      </Modal>
      <SecretOnce title={t('user.temporaryPassword')} secret={secret} onClose={() => setSecret(null)} />
    </Card>
  );
}
