// The inventory of information systems (minimal: what incidents link to and what the
// serious-incident criteria read — security level, national critical listing).
import { Button, Card, Checkbox, Form, Input, InputNumber, Modal, Select, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type InfoSystem, type Me } from '../../api/client';
import { can, useOrganizations, useSystems } from '../../api/hooks';
import { isFormCheck, showError } from '../../components/formErrors';

export function SystemsPage(props: { me: Me }) {
  const { t } = useTranslation();
  const systems = useSystems();
  const orgs = useOrganizations();
  const [editing, setEditing] = useState<InfoSystem | 'new' | null>(null);
  const [form] = Form.useForm();
  const units = (orgs.data?.items ?? []).filter((o) => o.kind === 'unit' || o.id === props.me.organization.id);
  const open = (s: InfoSystem | 'new') => {
    form.resetFields();
    if (s !== 'new') form.setFieldsValue({ ...s, components: s.components.join('\n') });
    setEditing(s);
  };
  const save = async () => {
    try {
      const v = await form.validateFields();
      const body = {
        name: v.name, description: v.description ?? '', operator: v.operator ?? '', owner_unit_id: v.owner_unit_id ?? null,
        security_level: v.security_level ?? null, national_critical: !!v.national_critical,
        components: String(v.components ?? '').split('\n').map((x: string) => x.trim()).filter(Boolean),
      };
      if (editing === 'new') await api('POST', '/api/v1/systems', body);
      else await api('PATCH', `/api/v1/systems/${editing!.id}`, body, { ifMatch: editing!.version });
      setEditing(null);
      void systems.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const manage = can(props.me, 'system.manage');
  return (
    <Card title={t('system.title')} extra={manage && <Button type="primary" onClick={() => open('new')}>{t('system.add')}</Button>}>
      <Table<InfoSystem> rowKey="id" loading={systems.isPending} dataSource={systems.data?.items ?? []} pagination={false}
        onRow={(s) => ({ onClick: () => manage && open(s), style: manage ? { cursor: 'pointer' } : undefined })}
        columns={[
          { title: t('system.name'), dataIndex: 'name' },
          { title: t('system.level'), dataIndex: 'security_level', render: (l: number | null) => l ?? '—' },
          { title: t('system.operator'), dataIndex: 'operator' },
          { title: t('system.nationalCritical'), dataIndex: 'national_critical', render: (v: boolean) => (v ? <Tag color="red">{t('common.yes')}</Tag> : t('common.no')) },
          { title: t('system.components'), dataIndex: 'components', render: (c: string[]) => c.join(', ') },
        ]} />
      <Modal open={editing !== null} title={editing === 'new' ? t('system.add') : t('common.edit')} onOk={() => void save()}
        onCancel={() => setEditing(null)} okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={form} layout="vertical">
          <Form.Item name="name" label={t('system.name')} rules={[{ required: true, message: t('validation.required') }]}><Input /></Form.Item>
          <Form.Item name="description" label={t('system.description')}><Input.TextArea rows={2} /></Form.Item>
          <Form.Item name="owner_unit_id" label={t('system.ownerUnit')}>
            <Select allowClear options={units.map((o) => ({ value: o.id, label: o.name }))} />
          </Form.Item>
          <Form.Item name="operator" label={t('system.operator')}><Input /></Form.Item>
          <Form.Item name="security_level" label={t('system.level')}><InputNumber min={1} max={5} /></Form.Item>
          <Form.Item name="national_critical" valuePropName="checked"><Checkbox>{t('system.nationalCritical')}</Checkbox></Form.Item>
          <Form.Item name="components" label={t('system.components')} extra={t('system.componentsHelp')}><Input.TextArea rows={3} /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
