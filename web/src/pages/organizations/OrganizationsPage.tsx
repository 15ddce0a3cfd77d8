import { Button, Card, Checkbox, Col, Descriptions, Form, Input, Modal, Row, Select, Tree, Typography } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Me, type Organization } from '../../api/client';
import { can, useOrganizations } from '../../api/hooks';
import { isFormCheck, showError } from '../../components/formErrors';
import { showTime } from '../../components/time';

const kChildKinds: Record<string, string[]> = {
  national: ['coordinator', 'agency', 'unit'],
  coordinator: ['coordinator', 'agency', 'unit'],
  agency: ['unit'],
  unit: ['unit'],
};

export function OrganizationsPage(props: { me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const orgs = useOrganizations();
  const [selectedId, setSelectedId] = useState<string>(props.me.organization.id);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState(false);
  const [addForm] = Form.useForm();
  const [editForm] = Form.useForm();
  const list = useMemo(() => orgs.data?.items ?? [], [orgs.data]);
  const selected = list.find((o) => o.id === selectedId);

  const tree = useMemo(() => {
    const byParent = new Map<string | null, Organization[]>();
    for (const o of list) {
      const parent = o.parent_id && list.some((p) => p.id === o.parent_id) ? o.parent_id : null;
      byParent.set(parent, [...(byParent.get(parent) ?? []), o]);
    }
    const build = (parent: string | null): DataNode[] =>
      (byParent.get(parent) ?? []).map((o) => ({
        key: o.id,
        title: `${o.name} · ${t(`kind.${o.kind}`)}`,
        children: build(o.id),
      }));
    return build(null);
  }, [list, t]);

  const refresh = () => qc.invalidateQueries({ queryKey: ['organizations'] });

  const add = async () => {
    try {
      const v = await addForm.validateFields();
      await api('POST', '/api/v1/organizations', { ...v, parent_id: selectedId, require_totp: !!v.require_totp });
      setAdding(false);
      addForm.resetFields();
      await refresh();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, addForm);
    }
  };
  const save = async () => {
    try {
      const v = await editForm.validateFields();
      await api('PATCH', `/api/v1/organizations/${selectedId}`, v);
      setEditing(false);
      await refresh();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, editForm);
    }
  };

  return (
    <Row gutter={24}>
      <Col xs={24} lg={12}>
        <Card title={t('org.title')} loading={orgs.isPending}>
          <Tree treeData={tree} defaultExpandAll selectedKeys={[selectedId]} blockNode
            onSelect={(keys) => keys[0] && setSelectedId(String(keys[0]))} />
        </Card>
      </Col>
      <Col xs={24} lg={12}>
        {selected ? (
          <Card title={selected.name}
            extra={
              <>
                {can(props.me, 'organization.update') ? (
                  <Button onClick={() => { editForm.setFieldsValue({ name: selected.name, require_totp: selected.require_totp }); setEditing(true); }}>
                    {t('common.edit')}
                  </Button>
                ) : null}{' '}
                {can(props.me, 'organization.create') ? (
                  <Button type="primary" onClick={() => { addForm.resetFields(); addForm.setFieldsValue({ kind: kChildKinds[selected.kind][0] }); setAdding(true); }}>
                    {t('org.add')}
                  </Button>
                ) : null}
              </>
            }>
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('org.slug')}>{selected.slug}</Descriptions.Item>
              <Descriptions.Item label={t('org.kind')}>{t(`kind.${selected.kind}`)}</Descriptions.Item>
              <Descriptions.Item label={t('org.requireTotp')}>{selected.require_totp ? t('common.yes') : t('common.no')}</Descriptions.Item>
              <Descriptions.Item label={t('common.createdAt')}>{showTime(selected.created_at)}</Descriptions.Item>
            </Descriptions>
          </Card>
        ) : (
          <Typography.Text type="secondary">{t('org.pick')}</Typography.Text>
        )}
      </Col>
      <Modal open={adding} title={t('org.addUnder', { name: selected?.name ?? '' })} onOk={() => void add()}
        onCancel={() => setAdding(false)} okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={addForm} layout="vertical">
          <Form.Item name="name" label={t('org.name')} rules={[{ required: true, message: t('validation.required') }, { max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="slug" label={t('org.slug')} extra={t('org.slugHelp')}
            rules={[{ required: true, message: t('validation.required') }, { pattern: /^[a-z0-9][a-z0-9-]*[a-z0-9]$/, message: t('validation.slug') }]}>
            <Input />
          </Form.Item>
          <Form.Item name="kind" label={t('org.kind')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={(kChildKinds[selected?.kind ?? 'unit'] ?? []).map((k) => ({ value: k, label: t(`kind.${k}`) }))} />
          </Form.Item>
          <Form.Item name="require_totp" valuePropName="checked">
            <Checkbox>{t('org.requireTotp')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
      <Modal open={editing} title={t('common.edit')} onOk={() => void save()} onCancel={() => setEditing(false)}
        okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={editForm} layout="vertical">
          <Form.Item name="name" label={t('org.name')} rules={[{ required: true, message: t('validation.required') }, { max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="require_totp" valuePropName="checked">
            <Checkbox>{t('org.requireTotp')}</Checkbox>
          </Form.Item>
        </Form>
      </Modal>
    </Row>
  );
}
