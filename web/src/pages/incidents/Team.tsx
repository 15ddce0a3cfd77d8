// The people on an incident beyond its agency (plan §2.1 d, f; Decision 05/2017 Art. 14): the
// team with members from the organisations it is shared with, requests for support to the
// national coordinator or the response team, and the comments the agency and those it shares
// with exchange.
import { Button, Card, Checkbox, Form, Input, List, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api, type Incident, type Me, type Schemas } from '../../api/client';
import { can } from '../../api/hooks';
import { isFormCheck, showError } from '../../components/formErrors';
import { showTime } from '../../components/time';

type Member = Schemas['Member'];
type Candidate = Schemas['MemberCandidate'];
type SupportRequest = Schemas['SupportRequest'];
type Comment = Schemas['Comment'];
type Target = Schemas['ShareTarget'];

const kRoles = ['lead', 'responder', 'expert', 'liaison', 'observer'];
const kKinds = ['expert', 'forensics', 'malware-analysis', 'recovery', 'coordination', 'legal'];
const kParts = ['tasks', 'timeline', 'observables', 'evidence'];

export function useMembers(incident: Incident) {
  return useQuery({ queryKey: ['incident', incident.id, 'members', incident.version],
    queryFn: () => api<{ items: Member[] }>('GET', `/api/v1/incidents/${incident.id}/members`) });
}

// Who a task may be given to: the caller's own people and the incident's active members.
export function useAssignees(incident: Incident) {
  const users = useQuery({ queryKey: ['users', 'all'], enabled: incident.can_work,
    queryFn: () => api<{ items: Schemas['User'][] }>('GET', '/api/v1/users?limit=1000') });
  const members = useMembers(incident);
  const people = new Map<string, string>();
  for (const u of users.data?.items ?? []) people.set(u.id, u.display_name);
  for (const m of members.data?.items ?? [])
    if (!m.removed_at) people.set(m.user_id, `${m.display_name} (${m.organization_name})`);
  return { options: [...people].map(([value, label]) => ({ value, label })), name: (id?: string | null) => (id ? people.get(id) ?? id : '') };
}

export function Team(props: { incident: Incident; me: Me; onChanged: () => void }) {
  const { t } = useTranslation();
  const i = props.incident;
  const owner = i.can_change;
  const mayAsk = owner && can(props.me, 'incident.share');
  const members = useMembers(i);
  const candidates = useQuery({ queryKey: ['incident', i.id, 'member-candidates', i.version], enabled: owner,
    queryFn: () => api<{ items: Candidate[] }>('GET', `/api/v1/incidents/${i.id}/member-candidates`) });
  const requests = useQuery({ queryKey: ['incident', i.id, 'support-requests', i.version],
    queryFn: () => api<{ items: SupportRequest[] }>('GET', `/api/v1/incidents/${i.id}/support-requests`) });
  const targets = useQuery({ queryKey: ['share-targets'], enabled: mayAsk, queryFn: () => api<{ items: Target[] }>('GET', '/api/v1/share-targets') });
  const [memberForm] = Form.useForm();
  const [supportForm] = Form.useForm();
  const [answerForm] = Form.useForm();
  const [answering, setAnswering] = useState<{ request: SupportRequest; status: string } | null>(null);
  // The agency sees every request; an organisation it is shared with sees only those made to it.
  const orgName = (id: string) => targets.data?.items.find((o) => o.id === id)?.name ?? (owner ? id : t('team.yourOrganization'));

  const run = async (form: ReturnType<typeof Form.useForm>[0] | null, call: () => Promise<unknown>) => {
    try {
      await call();
      form?.resetFields();
      props.onChanged();
      return true;
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form ?? undefined);
      return false;
    }
  };
  const addMember = () => run(memberForm, async () => {
    const v = await memberForm.validateFields();
    await api('POST', `/api/v1/incidents/${i.id}/members`, { user_id: v.user_id, role: v.role });
  });
  const removeMember = (m: Member) => run(null, () => api('POST', `/api/v1/incidents/${i.id}/members/${m.id}/remove`));
  const askSupport = () => run(supportForm, async () => {
    const v = await supportForm.validateFields();
    await api('POST', `/api/v1/incidents/${i.id}/support-requests`, { organization_id: v.organization_id, kinds: v.kinds, detail: v.detail, parts: v.parts ?? [] });
  });
  const answer = async () => {
    if (!answering) return;
    const ok = await run(answerForm, async () => {
      const v = await answerForm.validateFields();
      await api('POST', `/api/v1/incidents/${i.id}/support-requests/${answering.request.id}/answer`, { status: answering.status, response: v.response ?? '' });
    });
    if (ok) setAnswering(null);
  };
  // What the caller may do with a request: the organisation asked answers, the agency withdraws.
  const actions = (r: SupportRequest) => {
    const asked = !owner && i.can_work;
    const out: string[] = [];
    if (asked && r.status === 'requested') out.push('accepted', 'declined');
    if (asked && r.status === 'accepted') out.push('completed');
    if (mayAsk && (r.status === 'requested' || r.status === 'accepted')) out.push('withdrawn');
    return out;
  };
  const statusColor: Record<string, string> = { requested: 'gold', accepted: 'blue', declined: 'red', completed: 'green', withdrawn: 'default' };

  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card size="small" title={t('team.members')}>
        <Table<Member> rowKey="id" size="small" loading={members.isPending} dataSource={members.data?.items ?? []} pagination={false}
          columns={[
            { title: t('team.person'), dataIndex: 'display_name' },
            { title: t('share.organization'), dataIndex: 'organization_name' },
            { title: t('team.role'), dataIndex: 'role', render: (r: string) => t(`team.role_${r}`) },
            { title: t('team.addedAt'), dataIndex: 'added_at', render: showTime },
            { title: t('team.removedAt'), dataIndex: 'removed_at', render: (r: string | null) => (r ? showTime(r) : <Tag color="green">{t('team.active')}</Tag>) },
            { title: '', key: 'act', render: (_: unknown, m) => owner && !m.removed_at && <Button danger size="small" onClick={() => void removeMember(m)}>{t('team.remove')}</Button> },
          ]} />
        {owner && (
          <Form form={memberForm} name="member" layout="inline" style={{ marginTop: 16, rowGap: 8 }} onFinish={() => void addMember()} initialValues={{ role: 'responder' }}>
            <Form.Item name="user_id" label={t('team.person')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select style={{ width: 380 }} showSearch optionFilterProp="label"
                options={candidates.data?.items.map((c) => ({ value: c.user_id, label: `${c.display_name} — ${c.organization_name}` }))} />
            </Form.Item>
            <Form.Item name="role" label={t('team.role')}>
              <Select style={{ width: 180 }} options={kRoles.map((r) => ({ value: r, label: t(`team.role_${r}`) }))} />
            </Form.Item>
            <Button htmlType="submit">{t('team.add')}</Button>
          </Form>
        )}
        {owner && <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('team.help')}</Typography.Paragraph>}
      </Card>

      <Card size="small" title={t('support.title')}>
        <Table<SupportRequest> rowKey="id" size="small" loading={requests.isPending} dataSource={requests.data?.items ?? []} pagination={false}
          columns={[
            { title: t('share.organization'), dataIndex: 'organization_id', render: orgName },
            { title: t('support.kinds'), dataIndex: 'kinds', render: (k: string[]) => k.map((x) => <Tag key={x}>{t(`support.kind_${x}`)}</Tag>) },
            { title: t('support.detail'), dataIndex: 'detail' },
            { title: t('support.requestedAt'), dataIndex: 'requested_at', render: showTime },
            { title: t('support.status'), dataIndex: 'status', render: (s: string) => <Tag color={statusColor[s]}>{t(`support.status_${s}`)}</Tag> },
            { title: t('support.response'), dataIndex: 'response' },
            { title: '', key: 'act', render: (_: unknown, r) => (
              <Space>{actions(r).map((s) => (
                <Button key={s} size="small" danger={s === 'declined' || s === 'withdrawn'} onClick={() => setAnswering({ request: r, status: s })}>
                  {t(`support.do_${s}`)}
                </Button>))}
              </Space>) },
          ]} />
        {mayAsk && (
          <Form form={supportForm} name="support" layout="vertical" style={{ marginTop: 16 }} onFinish={() => void askSupport()}
            initialValues={{ parts: ['tasks', 'timeline'] }}>
            <Space wrap align="start">
              <Form.Item name="organization_id" label={t('support.to')} rules={[{ required: true, message: t('validation.required') }]}>
                <Select style={{ width: 360 }} options={targets.data?.items.filter((o) => o.kind !== 'agency').map((o) => ({ value: o.id, label: o.name }))} />
              </Form.Item>
              <Form.Item name="kinds" label={t('support.kinds')} rules={[{ required: true, message: t('validation.required') }]}>
                <Select mode="multiple" style={{ width: 360 }} options={kKinds.map((k) => ({ value: k, label: t(`support.kind_${k}`) }))} />
              </Form.Item>
            </Space>
            <Form.Item name="detail" label={t('support.detail')} rules={[{ required: true, message: t('validation.required') }]}><Input.TextArea rows={2} /></Form.Item>
            <Form.Item name="parts" label={t('support.parts')}>
              <Checkbox.Group options={kParts.map((x) => ({ value: x, label: t(`share.part_${x}`) }))} />
            </Form.Item>
            <Button type="primary" htmlType="submit">{t('support.ask')}</Button>
          </Form>
        )}
      </Card>

      <Modal open={!!answering} title={answering ? t(`support.do_${answering.status}`) : ''} onOk={() => void answer()} onCancel={() => setAnswering(null)}
        okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={answerForm} name="support-answer" layout="vertical">
          <Form.Item name="response" label={t('support.response')}
            rules={answering?.status === 'declined' ? [{ required: true, message: t('validation.required') }] : []}>
            <Input.TextArea rows={3} />
          </Form.Item>
        </Form>
      </Modal>
    </Space>
  );
}

export function Comments(props: { incident: Incident }) {
  const { t } = useTranslation();
  const i = props.incident;
  const list = useQuery({ queryKey: ['incident', i.id, 'comments'], queryFn: () => api<{ items: Comment[] }>('GET', `/api/v1/incidents/${i.id}/comments`) });
  const [form] = Form.useForm();
  const add = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', `/api/v1/incidents/${i.id}/comments`, { text: v.text });
      form.resetFields();
      void list.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  return (
    <>
      <List<Comment> loading={list.isPending} dataSource={list.data?.items ?? []} locale={{ emptyText: t('comment.none') }}
        renderItem={(c) => (
          <List.Item>
            <List.Item.Meta title={<Space wrap><Typography.Text strong>{c.author_name}</Typography.Text>
              <Typography.Text type="secondary">{c.organization_name} · {showTime(c.created_at)}</Typography.Text></Space>}
              description={<Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 0 }}>{c.text}</Typography.Paragraph>} />
          </List.Item>
        )} />
      {i.can_work && (
        <Form form={form} name="comment" layout="vertical" style={{ marginTop: 16 }} onFinish={() => void add()}>
          <Form.Item name="text" label={t('comment.add')} rules={[{ required: true, message: t('validation.required') }]}><Input.TextArea rows={3} /></Form.Item>
          <Button type="primary" htmlType="submit">{t('comment.send')}</Button>
        </Form>
      )}
    </>
  );
}
