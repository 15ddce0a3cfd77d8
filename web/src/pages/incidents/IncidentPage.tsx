// One incident: where it stands in the plan's process (§II.2), the steps open to the user,
// its classification and the serious-incident assessment, tasks, timeline, direction
// requests, the notifications and reports it owes, and its history.
import { Alert, Button, Card, Checkbox, Col, DatePicker, Descriptions, Form, Input, List, Modal, Radio, Row, Select, Space,
  Steps, Table, Tabs, Tag, Timeline, Typography, message } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router-dom';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, uploadFile, type Approval, type Incident, type Me, type Obligation, type Schemas, type Task,
  type TimelineEntry, type Transition } from '../../api/client';
import { can, nameOf, useOrganizations, useSystems, useTaxonomy } from '../../api/hooks';
import { isFormCheck, showError } from '../../components/formErrors';
import { kZone, showDuration, showTime } from '../../components/time';
import { DrillTag, PhaseTag, SeriousTag } from './labels';
import { Comments, Team, useAssignees } from './Team';

const kMainPhases = ['received', 'verifying', 'confirmed', 'initial_response', 'response_chosen', 'containment', 'eradication',
  'recovery', 'verification', 'closing', 'closed'];
const kReasonSteps = new Set(['dismiss', 'not-stable', 'reopen']);

type Profile = Schemas['RegulatoryProfile'];

function useIncident(id: string) {
  return useQuery({ queryKey: ['incident', id], queryFn: () => api<Incident>('GET', `/api/v1/incidents/${id}`) });
}

// After a refused write because someone else changed the incident: say so and reload.
function onWriteError(err: unknown, t: (k: string) => string, reload: () => void, form?: Parameters<typeof showError>[1]) {
  if (err instanceof ApiError && err.code === 'stale') {
    void message.warning(t('incident.stale'));
    reload();
    return;
  }
  showError(err, form);
}

function StepModal(props: { incident: Incident; step: string | null; onClose: () => void; onDone: (i: Incident) => void; reload: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm();
  const orgs = useOrganizations();
  const [busy, setBusy] = useState(false);
  const kind = Form.useWatch('approver_kind', form);
  const step = props.step;
  useEffect(() => {
    if (step) form.setFieldsValue({ reason: '', response_option: props.incident.response_option, approver_kind: 'director' });
  }, [step, form, props.incident.response_option]);
  const submit = async () => {
    try {
      const v = await form.validateFields();
      setBusy(true);
      const body: Record<string, unknown> = { step, reason: v.reason ?? '' };
      if (step === 'choose-response') body.response_option = v.response_option;
      if (step === 'request-approval') {
        body.approver_kind = v.approver_kind;
        if (v.approver_kind === 'steering-committee') body.approver_organization_id = v.approver_organization_id;
      }
      const next = await api<Incident>('POST', `/api/v1/incidents/${props.incident.id}/transitions`, body, { ifMatch: props.incident.version });
      props.onDone(next);
    } catch (err) {
      if (!isFormCheck(err)) onWriteError(err, t, props.reload, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={!!step} title={step ? t(`step.${step}`) : ''} okText={t('common.save')} cancelText={t('common.cancel')}
      confirmLoading={busy} onOk={() => void submit()} onCancel={props.onClose} destroyOnClose>
      <Form form={form} name="step" layout="vertical">
        {step === 'choose-response' && (
          <Form.Item name="response_option" label={t('incident.responseOption')} rules={[{ required: true, message: t('validation.required') }]}>
            <Input.TextArea rows={4} />
          </Form.Item>
        )}
        {step === 'request-approval' && (
          <>
            <Form.Item name="approver_kind" label={t('incident.approverKind')}>
              <Radio.Group options={[{ value: 'director', label: t('incident.director') }, { value: 'steering-committee', label: t('incident.committee') }]} />
            </Form.Item>
            {kind === 'steering-committee' && (
              <Form.Item name="approver_organization_id" label={t('incident.approverOrg')} rules={[{ required: true, message: t('validation.required') }]}>
                <Select options={orgs.data?.items.map((o) => ({ value: o.id, label: o.name }))} />
              </Form.Item>
            )}
          </>
        )}
        <Form.Item name="reason" label={t('incident.reason')}
          rules={step && kReasonSteps.has(step) ? [{ required: true, message: t('validation.required') }] : []}>
          <Input.TextArea rows={3} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function Classification(props: { incident: Incident; profile?: Profile; onSaved: (i: Incident) => void; reload: () => void }) {
  const { t } = useTranslation();
  const taxonomy = useTaxonomy();
  const systems = useSystems();
  const [form] = Form.useForm();
  const i = props.incident;
  const override = Form.useWatch('serious_override', form);
  useEffect(() => {
    form.setFieldsValue({
      ...i, detected_at: dayjs(i.detected_at).tz(kZone), occurred_at: i.occurred_at ? dayjs(i.occurred_at).tz(kZone) : null,
      serious_override: i.serious_override === null ? 'criteria' : i.serious_override ? 'serious' : 'normal',
    });
  }, [i, form]);
  const save = async () => {
    try {
      const v = await form.validateFields();
      const body = {
        title: v.title, description: v.description ?? '', detected_at: (v.detected_at as Dayjs).toISOString(),
        occurred_at: v.occurred_at ? (v.occurred_at as Dayjs).toISOString() : null, scenario: v.scenario ?? null,
        cause_class: v.cause_class ?? null, severity: v.severity ?? null, tlp: v.tlp, impacts: v.impacts ?? [],
        system_ids: v.system_ids ?? [], beyond_capacity: !!v.beyond_capacity, personal_data_breach: !!v.personal_data_breach,
        national_security: !!v.national_security,
        serious_override: v.serious_override === 'criteria' ? null : v.serious_override === 'serious',
        serious_override_reason: v.serious_override === 'criteria' ? '' : v.serious_override_reason ?? '',
        approval_required: !!v.approval_required, response_option: v.response_option ?? '', attack_origin: v.attack_origin ?? '',
        root_cause: v.root_cause ?? '', lessons_learned: v.lessons_learned ?? '',
      };
      props.onSaved(await api<Incident>('PATCH', `/api/v1/incidents/${i.id}`, body, { ifMatch: i.version }));
      void message.success(t('incident.saved'));
    } catch (err) {
      if (!isFormCheck(err)) onWriteError(err, t, props.reload, form);
    }
  };
  const options = (list?: { id: string; name: string }[]) => list?.map((e) => ({ value: e.id, label: e.name }));
  return (
    <Form form={form} name="classification" layout="vertical" disabled={!i.can_change} onFinish={() => void save()}>
      <Row gutter={24}>
        <Col xs={24} lg={12}>
          <Form.Item name="title" label={t('incident.name')} rules={[{ required: true, message: t('validation.required') }]}><Input /></Form.Item>
          <Form.Item name="description" label={t('incident.description')}><Input.TextArea rows={4} /></Form.Item>
          <Space>
            <Form.Item name="detected_at" label={t('incident.detectedAt')}><DatePicker showTime format="DD/MM/YYYY HH:mm" /></Form.Item>
            <Form.Item name="occurred_at" label={t('incident.occurredAt')}><DatePicker showTime format="DD/MM/YYYY HH:mm" /></Form.Item>
          </Space>
          <Form.Item name="scenario" label={t('incident.scenario')}>
            <Select allowClear showSearch optionFilterProp="label"
              options={taxonomy.data?.scenarios.map((s) => ({ value: s.id, label: `${s.number}. ${s.name}` }))} />
          </Form.Item>
          <Form.Item name="cause_class" label={t('incident.causeClass')}><Select allowClear options={options(taxonomy.data?.cause_classes)} /></Form.Item>
          <Space>
            <Form.Item name="severity" label={t('incident.severity')}>
              <Select allowClear style={{ width: 180 }} options={options(taxonomy.data?.severities)} />
            </Form.Item>
            <Form.Item name="tlp" label={t('incident.tlp')}><Select style={{ width: 180 }} options={options(taxonomy.data?.tlp)} /></Form.Item>
          </Space>
          <Form.Item name="system_ids" label={t('incident.systems')}>
            <Select mode="multiple" options={systems.data?.items.map((s) => ({ value: s.id, label: `${s.name}${s.security_level ? ` (${s.security_level})` : ''}` }))} />
          </Form.Item>
        </Col>
        <Col xs={24} lg={12}>
          {props.profile?.serious_defined && (
            <Form.Item name="impacts" label={t('incident.impacts')}>
              <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 4 }} options={props.profile.impacts.map((x) => ({ value: x.id, label: x.name }))} />
            </Form.Item>
          )}
          <Form.Item name="beyond_capacity" valuePropName="checked"><Checkbox>{t('incident.beyondCapacity')}</Checkbox></Form.Item>
          <Form.Item name="personal_data_breach" valuePropName="checked"><Checkbox>{t('incident.personalData')}</Checkbox></Form.Item>
          <Form.Item name="national_security" valuePropName="checked"><Checkbox>{t('incident.nationalSecurity')}</Checkbox></Form.Item>
          <Card size="small" title={t('incident.assessment')} style={{ marginBottom: 16 }}>
            <List size="small" dataSource={i.serious_assessment.reasons} renderItem={(r) => (
              <List.Item>
                <Space>
                  <Tag color={r.met ? 'red' : 'default'}>{r.met ? t('incident.met') : t('incident.notMet')}</Tag>
                  {t(`incident.criteria.${r.criterion}`)}{r.subject ? `: ${props.profile?.impacts.find((x) => x.id === r.subject)?.name ?? r.subject}` : ''}
                </Space>
              </List.Item>
            )} />
            <Typography.Text type="secondary">{props.profile?.serious_source}</Typography.Text>
          </Card>
          <Form.Item name="serious_override" label={t('incident.seriousOverride')}>
            <Radio.Group options={[{ value: 'criteria', label: t('incident.followCriteria') }, { value: 'serious', label: t('incident.forceSerious') },
              { value: 'normal', label: t('incident.forceNormal') }]} />
          </Form.Item>
          {override && override !== 'criteria' && (
            <Form.Item name="serious_override_reason" label={t('incident.seriousOverrideReason')} rules={[{ required: true, message: t('validation.required') }]}>
              <Input.TextArea rows={2} />
            </Form.Item>
          )}
          <Form.Item name="approval_required" valuePropName="checked"><Checkbox>{t('incident.approvalRequired')}</Checkbox></Form.Item>
        </Col>
      </Row>
      <Form.Item name="response_option" label={t('incident.responseOption')}><Input.TextArea rows={2} /></Form.Item>
      <Form.Item name="attack_origin" label={t('incident.attackOrigin')}><Input /></Form.Item>
      <Form.Item name="root_cause" label={t('incident.rootCause')}><Input.TextArea rows={2} /></Form.Item>
      <Form.Item name="lessons_learned" label={t('incident.lessons')}><Input.TextArea rows={2} /></Form.Item>
      {i.can_change && <Button type="primary" htmlType="submit">{t('incident.save')}</Button>}
    </Form>
  );
}

function Tasks(props: { incident: Incident }) {
  const { t } = useTranslation();
  const taxonomy = useTaxonomy();
  const id = props.incident.id;
  const tasks = useQuery({ queryKey: ['incident', id, 'tasks'], queryFn: () => api<{ items: Task[] }>('GET', `/api/v1/incidents/${id}/tasks`) });
  const assignees = useAssignees(props.incident);
  const [adding, setAdding] = useState(false);
  const [form] = Form.useForm();
  // The agency changes its tasks; an organisation it is shared with changes the tasks it added.
  const mayChange = (task: Task) => props.incident.can_change || (props.incident.can_work && task.organization_id !== props.incident.organization_id);
  const change = async (task: Task, body: Partial<Task>) => {
    try {
      await api<Task>('PATCH', `/api/v1/incidents/${id}/tasks/${task.id}`, body, { ifMatch: task.version });
    } catch (err) {
      onWriteError(err, t, () => undefined);
    }
    void tasks.refetch();
  };
  const add = async () => {
    try {
      const v = await form.validateFields();
      await api<Task>('POST', `/api/v1/incidents/${id}/tasks`, { title: v.title, detail: v.detail ?? '', assignee_id: v.assignee_id ?? null,
        due_at: v.due_at ? (v.due_at as Dayjs).toISOString() : null });
      setAdding(false);
      form.resetFields();
      void tasks.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  return (
    <>
      {props.incident.can_work && <Button style={{ marginBottom: 12 }} onClick={() => setAdding(true)}>{t('task.add')}</Button>}
      <Table<Task> rowKey="id" size="small" loading={tasks.isPending} dataSource={tasks.data?.items ?? []} pagination={{ pageSize: 50 }}
        expandable={{ expandedRowRender: (task) => (
          <>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{task.detail}</Typography.Paragraph>
            <Typography.Text strong>{t('task.notes')}: </Typography.Text>
            <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}
              editable={mayChange(task) ? { onChange: (notes) => { if (notes !== task.notes) void change(task, { notes }); }, triggerType: ['icon', 'text'] } : false}>
              {task.notes}
            </Typography.Paragraph>
          </>) }}
        columns={[
          { title: t('task.phase'), dataIndex: 'phase', width: 150, render: (p: string) => <PhaseTag phase={p} /> },
          { title: t('task.title'), dataIndex: 'title' },
          { title: t('task.responsible'), dataIndex: 'responsible', render: (a: string) => nameOf(taxonomy.data?.actors, a) },
          { title: t('task.assignee'), dataIndex: 'assignee_id', width: 220, render: (a: string | null, task) => (mayChange(task)
            ? <Select size="small" allowClear showSearch optionFilterProp="label" value={a ?? undefined} style={{ width: 200 }} aria-label={`${t('task.assignee')}: ${task.title}`}
                onChange={(v) => void change(task, { assignee_id: v ?? null })} options={assignees.options} />
            : assignees.name(a)) },
          { title: t('task.due'), dataIndex: 'due_at', width: 170, render: showTime },
          { title: t('task.status'), dataIndex: 'status', width: 150, render: (s: string, task) => (
            <Select size="small" value={s} disabled={!mayChange(task)} style={{ width: 130 }} aria-label={`${t('task.status')}: ${task.title}`}
              onChange={(v) => void change(task, { status: v })}
              options={['open', 'in-progress', 'done', 'cancelled'].map((x) => ({ value: x, label: t(`task.status_${x}`) }))} />
          ) },
        ]} />
      <Modal open={adding} title={t('task.add')} onOk={() => void add()} onCancel={() => setAdding(false)} okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={form} name="task" layout="vertical">
          <Form.Item name="title" label={t('task.title')} rules={[{ required: true, message: t('validation.required') }]}><Input /></Form.Item>
          <Form.Item name="detail" label={t('task.detail')}><Input.TextArea rows={3} /></Form.Item>
          <Form.Item name="assignee_id" label={t('task.assignee')}>
            <Select allowClear showSearch optionFilterProp="label" options={assignees.options} />
          </Form.Item>
          <Form.Item name="due_at" label={t('task.due')}><DatePicker showTime format="DD/MM/YYYY HH:mm" /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

function IncidentTimeline(props: { incident: Incident }) {
  const { t } = useTranslation();
  const id = props.incident.id;
  const entries = useQuery({ queryKey: ['incident', id, 'timeline', props.incident.version],
    queryFn: () => api<{ items: TimelineEntry[] }>('GET', `/api/v1/incidents/${id}/timeline`) });
  const [form] = Form.useForm();
  const add = async () => {
    try {
      const v = await form.validateFields();
      const techniques = String(v.techniques ?? '').split(/[\s,]+/).filter(Boolean);
      await api('POST', `/api/v1/incidents/${id}/timeline`, { happened_at: (v.happened_at as Dayjs).toISOString(), text: v.text, source: v.source ?? '', techniques });
      form.resetFields();
      void entries.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  return (
    <>
      {props.incident.can_work && (
        <Form form={form} name="timeline" layout="inline" style={{ marginBottom: 16, rowGap: 8 }} initialValues={{ happened_at: dayjs() }} onFinish={() => void add()}>
          <Form.Item name="happened_at" label={t('timeline.happenedAt')} rules={[{ required: true, message: t('validation.required') }]}>
            <DatePicker showTime format="DD/MM/YYYY HH:mm" />
          </Form.Item>
          <Form.Item name="text" label={t('timeline.text')} rules={[{ required: true, message: t('validation.required') }]}><Input style={{ width: 320 }} /></Form.Item>
          <Form.Item name="source" label={t('timeline.source')}><Input style={{ width: 140 }} /></Form.Item>
          <Form.Item name="techniques" label={t('timeline.techniques')}><Input style={{ width: 140 }} placeholder="T1486" /></Form.Item>
          <Button htmlType="submit">{t('timeline.add')}</Button>
        </Form>
      )}
      <Timeline items={(entries.data?.items ?? []).map((e) => ({
        color: e.kind === 'transition' ? 'blue' : e.kind === 'approval' ? 'gold' : e.kind === 'manual' ? 'green' : 'gray',
        children: (
          <div data-testid="timeline-entry">
            <Typography.Text strong>{showTime(e.happened_at)}</Typography.Text> · {e.text}
            {e.techniques.map((x) => <Tag key={x} style={{ marginLeft: 8 }}>{x}</Tag>)}
            <br /><Typography.Text type="secondary">{e.kind}{e.source ? ` · ${e.source}` : ''}{e.actor_name ? ` · ${e.actor_name}` : ''}</Typography.Text>
          </div>
        ),
      }))} />
    </>
  );
}

function Approvals(props: { incident: Incident; me: Me; onDecided: () => void }) {
  const { t } = useTranslation();
  const id = props.incident.id;
  const approvals = useQuery({ queryKey: ['incident', id, 'approvals', props.incident.version],
    queryFn: () => api<{ items: Approval[] }>('GET', `/api/v1/incidents/${id}/approvals`) });
  const [deciding, setDeciding] = useState<Approval | null>(null);
  const [form] = Form.useForm();
  const decide = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', `/api/v1/incidents/${id}/approvals/${deciding!.id}/decision`, v);
      setDeciding(null);
      form.resetFields();
      props.onDecided();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const mayDecide = (a: Approval) => !a.decision && ((a.approver_kind === 'director' && props.me.role === 'director') ||
    (a.approver_kind === 'steering-committee' && ['security-officer', 'administrator', 'director'].includes(props.me.role)));
  return (
    <>
      <Table<Approval> rowKey="id" size="small" loading={approvals.isPending} dataSource={approvals.data?.items ?? []} pagination={false}
        columns={[
          { title: t('approval.requestedAt'), dataIndex: 'requested_at', render: showTime },
          { title: t('approval.kind'), dataIndex: 'approver_kind', render: (k: string) => (k === 'director' ? t('incident.director') : t('incident.committee')) },
          { title: t('approval.option'), dataIndex: 'response_option' },
          { title: t('approval.decision'), dataIndex: 'decision', render: (d: string | null, a) => (
            d ? <Space direction="vertical" size={0}>
              <Tag color={d === 'approved' ? 'green' : 'red'}>{t(`approval.${d}`)}</Tag>
              <Typography.Text type="secondary">{a.decider_name} · {showTime(a.decided_at)}</Typography.Text>
              {a.comment && <Typography.Text>{a.comment}</Typography.Text>}
            </Space> : <Tag color="gold">{t('approval.pending')}</Tag>) },
          { title: '', key: 'act', render: (_: unknown, a) => mayDecide(a) && <Button type="primary" onClick={() => setDeciding(a)}>{t('approval.decide')}</Button> },
        ]} />
      <Modal open={!!deciding} title={t('approval.decide')} onOk={() => void decide()} onCancel={() => setDeciding(null)} okText={t('common.save')} cancelText={t('common.cancel')}>
        <Typography.Paragraph>{deciding?.response_option}</Typography.Paragraph>
        <Form form={form} name="decision" layout="vertical" initialValues={{ decision: 'approved' }}>
          <Form.Item name="decision" label={t('approval.decision')}>
            <Radio.Group options={[{ value: 'approved', label: t('approval.approved') }, { value: 'rejected', label: t('approval.rejected') }]} />
          </Form.Item>
          <Form.Item name="comment" label={t('approval.comment')}><Input.TextArea rows={2} /></Form.Item>
          {deciding?.approver_kind === 'steering-committee' && (
            <>
              <Form.Item name="decider_name" label={t('approval.decider')}><Input /></Form.Item>
              <Form.Item name="document_reference" label={t('approval.document')}><Input /></Form.Item>
            </>
          )}
        </Form>
      </Modal>
    </>
  );
}

function Obligations(props: { incident: Incident; onRecorded: () => void }) {
  const { t } = useTranslation();
  const [recording, setRecording] = useState<Obligation | null>(null);
  const [form] = Form.useForm();
  const color: Record<string, string> = { pending: 'blue', done: 'green', overdue: 'red', waiting: 'default' };
  const record = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', `/api/v1/incidents/${props.incident.id}/submissions`, {
        obligation: recording!.id, channel: v.channel, reference: v.reference ?? '', recipients: v.recipients,
        sent_at: (v.sent_at as Dayjs).toISOString(), note: v.note ?? '',
      });
      setRecording(null);
      form.resetFields();
      props.onRecorded();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const recipients = (o: Obligation) => o.recipients.map((r) => r.organization_name ?? r.name);
  return (
    <>
      <Table<Obligation> rowKey="id" size="small" dataSource={props.incident.obligations} pagination={false}
        columns={[
          { title: t('obligation.name'), dataIndex: 'name', render: (n: string, o) => (
            <Space direction="vertical" size={0}>
              <Typography.Text strong>{n}</Typography.Text>
              <Typography.Text type="secondary">{o.source}{o.verified ? '' : ` (${t('obligation.unverified')})`}</Typography.Text>
              {o.note && <Typography.Text type="secondary">{o.note}</Typography.Text>}
            </Space>) },
          { title: t('obligation.status'), dataIndex: 'status', render: (s: string, o) => (
            <Space direction="vertical" size={0}>
              <Tag color={color[s]} data-testid={`obligation-${o.id}`}>{t(`obligation.status_${s}`)}</Tag>
              {o.done_late && <Typography.Text type="danger">{t('obligation.late')}</Typography.Text>}
            </Space>) },
          { title: t('obligation.due'), dataIndex: 'due_at', render: (d: string | null, o) =>
            (o.due === 'none' ? t('obligation.noDeadline') : d ? `${showTime(d)}${o.due === 'immediately' ? ` (${t('obligation.immediately')})` : ''}` : '—') },
          { title: t('obligation.recipients'), key: 'to', render: (_: unknown, o) => recipients(o).join('; ') },
          { title: '', key: 'act', render: (_: unknown, o) => props.incident.can_change && o.status !== 'done' && o.status !== 'waiting' && (
            <Button onClick={() => { form.setFieldsValue({ recipients: recipients(o), sent_at: dayjs(), channel: 'email' }); setRecording(o); }}>
              {t('obligation.record')}
            </Button>) },
        ]} />
      <Modal open={!!recording} title={recording?.name} onOk={() => void record()} onCancel={() => setRecording(null)} okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={form} name="submission" layout="vertical">
          <Form.Item name="channel" label={t('obligation.channel')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select options={['email', 'official-letter', 'fax', 'reporting-system', 'phone'].map((c) => ({ value: c, label: t(`obligation.channel_${c}`) }))} />
          </Form.Item>
          <Form.Item name="recipients" label={t('obligation.recipients')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select mode="tags" />
          </Form.Item>
          <Form.Item name="reference" label={t('obligation.reference')}><Input placeholder="123/BC-SXD" /></Form.Item>
          <Form.Item name="sent_at" label={t('obligation.sentAt')} rules={[{ required: true, message: t('validation.required') }]}>
            <DatePicker showTime format="DD/MM/YYYY HH:mm" />
          </Form.Item>
          <Form.Item name="note" label={t('obligation.note')}><Input.TextArea rows={2} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

type Observable = Schemas['Observable'];
const kObservableKinds = ['ip', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'account', 'file-name', 'process', 'registry-key'];

// Observables (IOC): entered as seen (defanged is fine), kept in one canonical form, with the
// other incidents where the same value was seen.
function Observables(props: { incident: Incident }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const taxonomy = useTaxonomy();
  const i = props.incident;
  const list = useQuery({ queryKey: ['incident', i.id, 'observables'], queryFn: () => api<{ items: Observable[] }>('GET', `/api/v1/incidents/${i.id}/observables`) });
  const [form] = Form.useForm();
  const add = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', `/api/v1/incidents/${i.id}/observables`, { kind: v.kind, value: v.value, tlp: v.tlp, is_ioc: !!v.is_ioc,
        tags: v.tags ?? [], note: v.note ?? '' });
      form.resetFields(['value', 'note', 'tags']);
      void list.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const remove = async (o: Observable) => {
    try {
      await api('DELETE', `/api/v1/incidents/${i.id}/observables/${o.id}`);
      void list.refetch();
    } catch (err) {
      showError(err);
    }
  };
  return (
    <>
      {i.can_work && (
        <Form form={form} name="observable" layout="inline" style={{ marginBottom: 16, rowGap: 8 }} onFinish={() => void add()}
          initialValues={{ kind: 'ip', tlp: 'amber', is_ioc: true }}>
          <Form.Item name="kind" label={t('observable.kind')}>
            <Select style={{ width: 150 }} options={kObservableKinds.map((k) => ({ value: k, label: t(`observable.kind_${k}`) }))} />
          </Form.Item>
          <Form.Item name="value" label={t('observable.value')} rules={[{ required: true, message: t('validation.required') }]}>
            <Input style={{ width: 320 }} placeholder="hxxp://evil[.]example/x" />
          </Form.Item>
          <Form.Item name="tlp" label="TLP"><Select style={{ width: 160 }} options={taxonomy.data?.tlp.map((x) => ({ value: x.id, label: x.name }))} /></Form.Item>
          <Form.Item name="tags" label={t('observable.tags')}><Select mode="tags" style={{ width: 200 }} /></Form.Item>
          <Form.Item name="is_ioc" valuePropName="checked"><Checkbox>IOC</Checkbox></Form.Item>
          <Form.Item name="note" label={t('observable.note')}><Input style={{ width: 220 }} /></Form.Item>
          <Button htmlType="submit">{t('observable.add')}</Button>
        </Form>
      )}
      <Table<Observable> rowKey="id" size="small" loading={list.isPending} dataSource={list.data?.items ?? []} pagination={{ pageSize: 50 }}
        columns={[
          { title: t('observable.kind'), dataIndex: 'kind', width: 130, render: (k: string) => t(`observable.kind_${k}`) },
          { title: t('observable.value'), dataIndex: 'value', render: (v: string, o) => (
            <Space direction="vertical" size={0}>
              <Typography.Text code copyable>{v}</Typography.Text>
              {o.original !== v && <Typography.Text type="secondary">{t('observable.entered')}: {o.original}</Typography.Text>}
            </Space>) },
          { title: 'TLP', dataIndex: 'tlp', width: 110, render: (x: string) => nameOf(taxonomy.data?.tlp, x) },
          { title: t('observable.tags'), dataIndex: 'tags', render: (tags: string[], o) => (
            <Space wrap>{o.is_ioc && <Tag color="red">IOC</Tag>}{tags.map((x) => <Tag key={x}>{x}</Tag>)}</Space>) },
          { title: t('observable.note'), dataIndex: 'note' },
          { title: t('observable.sightings'), dataIndex: 'sightings', render: (seen: Observable['sightings']) => (
            seen.length === 0 ? '—' : <Space direction="vertical" size={0}>
              {seen.map((x) => <Typography.Link key={x.incident_id} onClick={() => navigate(`/incidents/${x.incident_id}`)}>{x.reference} {x.title}</Typography.Link>)}
            </Space>) },
          { title: '', key: 'act', width: 90, render: (_: unknown, o) => i.can_change && <Button size="small" danger onClick={() => void remove(o)}>{t('observable.remove')}</Button> },
        ]} />
    </>
  );
}

type Evidence = Schemas['Evidence'];

function size(bytes: number) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

// Evidence with its chain of custody: who collected it, where, when and how; every transfer
// and download; the SHA-256 the content is checked against.
function EvidenceTab(props: { incident: Incident }) {
  const { t } = useTranslation();
  const i = props.incident;
  const list = useQuery({ queryKey: ['incident', i.id, 'evidence'], queryFn: () => api<{ items: Evidence[] }>('GET', `/api/v1/incidents/${i.id}/evidence`) });
  const [form] = Form.useForm();
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [transfer, setTransfer] = useState<Evidence | null>(null);
  const [transferForm] = Form.useForm();
  const upload = async () => {
    try {
      const v = await form.validateFields();
      if (!file) return;
      setBusy(true);
      await uploadFile(`/api/v1/incidents/${i.id}/evidence`, file, {
        name: file.name, collected_by: v.collected_by, collected_from: v.collected_from, method: v.method,
        description: v.description, collected_at: v.collected_at ? (v.collected_at as Dayjs).toISOString() : undefined,
      });
      form.resetFields();
      setFile(null);
      void list.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    } finally {
      setBusy(false);
    }
  };
  const doTransfer = async () => {
    try {
      const v = await transferForm.validateFields();
      await api('POST', `/api/v1/incidents/${i.id}/evidence/${transfer!.id}/transfers`, v);
      setTransfer(null);
      transferForm.resetFields();
      void list.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, transferForm);
    }
  };
  return (
    <>
      {i.can_work && (
        <Form form={form} name="evidence" layout="inline" style={{ marginBottom: 16, rowGap: 8 }} onFinish={() => void upload()}>
          <Form.Item label={t('evidence.file')} required>
            <input type="file" aria-label={t('evidence.file')} onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
          </Form.Item>
          <Form.Item name="collected_by" label={t('evidence.collectedBy')} rules={[{ required: true, message: t('validation.required') }]}><Input style={{ width: 200 }} /></Form.Item>
          <Form.Item name="collected_from" label={t('evidence.collectedFrom')} rules={[{ required: true, message: t('validation.required') }]}><Input style={{ width: 200 }} /></Form.Item>
          <Form.Item name="collected_at" label={t('evidence.collectedAt')}><DatePicker showTime format="DD/MM/YYYY HH:mm" /></Form.Item>
          <Form.Item name="method" label={t('evidence.method')}><Input style={{ width: 180 }} /></Form.Item>
          <Form.Item name="description" label={t('evidence.description')}><Input style={{ width: 240 }} /></Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} disabled={!file}>{t('evidence.upload')}</Button>
        </Form>
      )}
      <Table<Evidence> rowKey="id" size="small" loading={list.isPending} dataSource={list.data?.items ?? []} pagination={false}
        expandable={{ expandedRowRender: (e) => (
          <Timeline style={{ marginTop: 8 }} items={e.custody.map((c) => ({
            color: c.kind === 'hash-mismatch' ? 'red' : c.kind === 'collected' ? 'green' : 'blue',
            children: <span>{showTime(c.at)} · {t(`evidence.custody_${c.kind}`)}{c.from || c.to ? ` · ${c.from} → ${c.to}` : ''}
              {c.note ? ` · ${c.note}` : ''} · {c.actor_name} ({c.address})</span>,
          }))} />) }}
        columns={[
          { title: t('evidence.name'), dataIndex: 'name', render: (n: string, e) => (
            <Space direction="vertical" size={0}>
              <Typography.Link href={`/api/v1/incidents/${i.id}/evidence/${e.id}/content`}>{n}</Typography.Link>
              <Typography.Text type="secondary" copyable={{ text: e.sha256 }} style={{ fontFamily: 'monospace', fontSize: 12 }}>SHA-256 {e.sha256.slice(0, 16)}…</Typography.Text>
            </Space>) },
          { title: t('evidence.size'), dataIndex: 'size', render: size },
          { title: t('evidence.collected'), key: 'c', render: (_: unknown, e) => `${e.collected_by} · ${e.collected_from} · ${showTime(e.collected_at)}` },
          { title: t('evidence.holder'), dataIndex: 'holder' },
          { title: '', key: 'act', render: (_: unknown, e) => i.can_work && <Button size="small" onClick={() => setTransfer(e)}>{t('evidence.transfer')}</Button> },
        ]} />
      <Modal open={!!transfer} title={`${t('evidence.transfer')}: ${transfer?.name ?? ''}`} onOk={() => void doTransfer()} onCancel={() => setTransfer(null)}
        okText={t('common.save')} cancelText={t('common.cancel')}>
        <Form form={transferForm} name="transfer" layout="vertical">
          <Form.Item name="to" label={t('evidence.to')} rules={[{ required: true, message: t('validation.required') }]}><Input /></Form.Item>
          <Form.Item name="note" label={t('evidence.note')}><Input.TextArea rows={2} /></Form.Item>
        </Form>
      </Modal>
    </>
  );
}

type Followup = Schemas['Followup'];

// Follow-up actions from the lessons learned, tracked to done even after the incident is closed.
function Followups(props: { incident: Incident }) {
  const { t } = useTranslation();
  const i = props.incident;
  const list = useQuery({ queryKey: ['incident', i.id, 'followups'], queryFn: () => api<{ items: Followup[] }>('GET', `/api/v1/incidents/${i.id}/followups`) });
  const users = useQuery({ queryKey: ['users', 'all'], enabled: i.can_change, queryFn: () => api<{ items: Schemas['User'][] }>('GET', '/api/v1/users?limit=1000') });
  const [form] = Form.useForm();
  const add = async () => {
    try {
      const v = await form.validateFields();
      await api('POST', `/api/v1/incidents/${i.id}/followups`, { action: v.action, owner_id: v.owner_id ?? null,
        due_at: v.due_at ? (v.due_at as Dayjs).toISOString() : null });
      form.resetFields();
      void list.refetch();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    }
  };
  const setStatus = async (f: Followup, status: string) => {
    try {
      await api('PATCH', `/api/v1/incidents/${i.id}/followups/${f.id}`, { status });
    } catch (err) {
      showError(err);
    }
    void list.refetch();
  };
  return (
    <>
      {i.can_change && (
        <Form form={form} name="followup" layout="inline" style={{ marginBottom: 16, rowGap: 8 }} onFinish={() => void add()}>
          <Form.Item name="action" label={t('followup.action')} rules={[{ required: true, message: t('validation.required') }]}><Input style={{ width: 360 }} /></Form.Item>
          <Form.Item name="owner_id" label={t('followup.owner')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select style={{ width: 220 }} showSearch optionFilterProp="label" options={users.data?.items.map((u) => ({ value: u.id, label: u.display_name }))} />
          </Form.Item>
          <Form.Item name="due_at" label={t('followup.due')}><DatePicker format="DD/MM/YYYY" /></Form.Item>
          <Button htmlType="submit">{t('followup.add')}</Button>
        </Form>
      )}
      <Table<Followup> rowKey="id" size="small" loading={list.isPending} dataSource={list.data?.items ?? []} pagination={false}
        columns={[
          { title: t('followup.action'), dataIndex: 'action' },
          { title: t('followup.owner'), dataIndex: 'owner_name' },
          { title: t('followup.due'), dataIndex: 'due_at', render: showTime },
          { title: t('followup.status'), dataIndex: 'status', render: (st: string, f) => (
            <Select size="small" value={st} disabled={!i.can_change} style={{ width: 140 }} aria-label={`${t('followup.status')}: ${f.action}`}
              onChange={(v) => void setStatus(f, v)} options={['open', 'done', 'cancelled'].map((x) => ({ value: x, label: t(`followup.status_${x}`) }))} />) },
          { title: t('followup.doneAt'), dataIndex: 'done_at', render: showTime },
        ]} />
    </>
  );
}

function MergeButton(props: { incident: Incident; onDone: (i: Incident) => void; reload: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [into, setInto] = useState<string | undefined>();
  const candidates = useQuery({ queryKey: ['incidents', 'merge-candidates'], enabled: open,
    queryFn: () => api<{ items: Incident[] }>('GET', '/api/v1/incidents?limit=200') });
  const merge = async () => {
    try {
      props.onDone(await api<Incident>('POST', `/api/v1/incidents/${props.incident.id}/merge`, { into_id: into }, { ifMatch: props.incident.version }));
      setOpen(false);
    } catch (err) {
      onWriteError(err, t, props.reload);
    }
  };
  return (
    <>
      <Button onClick={() => setOpen(true)}>{t('incident.merge')}</Button>
      <Modal open={open} title={t('incident.merge')} onOk={() => void merge()} okButtonProps={{ disabled: !into }} onCancel={() => setOpen(false)}
        okText={t('common.save')} cancelText={t('common.cancel')}>
        <Typography.Paragraph>{t('incident.mergeHelp')}</Typography.Paragraph>
        <Select style={{ width: '100%' }} showSearch optionFilterProp="label" value={into} onChange={setInto} aria-label={t('incident.mergeInto')}
          options={candidates.data?.items.filter((x) => x.id !== props.incident.id).map((x) => ({ value: x.id, label: `${x.reference} ${x.title}` }))} />
      </Modal>
    </>
  );
}

type Share = Schemas['Share'];
type Statement = Schemas['Statement'];
type Target = Schemas['ShareTarget'];

// Sharing with coordinators and the response team, the spokesperson and public statements (§2.1 d, f).
function Communication(props: { incident: Incident; me: Me; onChanged: (i?: Incident) => void; reload: () => void }) {
  const { t } = useTranslation();
  const i = props.incident;
  const owner = i.can_change;
  const mayShare = owner && can(props.me, 'incident.share');
  const shares = useQuery({ queryKey: ['incident', i.id, 'shares', i.version], queryFn: () => api<{ items: Share[] }>('GET', `/api/v1/incidents/${i.id}/shares`) });
  const targets = useQuery({ queryKey: ['share-targets'], enabled: mayShare, queryFn: () => api<{ items: Target[] }>('GET', '/api/v1/share-targets') });
  const statements = useQuery({ queryKey: ['incident', i.id, 'statements', i.version], queryFn: () => api<{ items: Statement[] }>('GET', `/api/v1/incidents/${i.id}/statements`) });
  const users = useQuery({ queryKey: ['users', 'all'], enabled: owner, queryFn: () => api<{ items: Schemas['User'][] }>('GET', '/api/v1/users?limit=1000') });
  const [shareForm] = Form.useForm();
  const [statementForm] = Form.useForm();
  const orgName = (id: string) => targets.data?.items.find((o) => o.id === id)?.name ?? (id === i.organization_id ? i.organization_name : id);
  const share = async () => {
    try {
      const v = await shareForm.validateFields();
      await api('POST', `/api/v1/incidents/${i.id}/shares`, { organization_id: v.organization_id, parts: v.parts ?? [], purpose: v.purpose ?? '' });
      shareForm.resetFields();
      props.onChanged();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, shareForm);
    }
  };
  const revoke = async (x: Share) => {
    try {
      await api('POST', `/api/v1/incidents/${i.id}/shares/${x.id}/revoke`);
      props.onChanged();
    } catch (err) {
      showError(err);
    }
  };
  const setSpokesperson = async (id: string | null) => {
    try {
      props.onChanged(await api<Incident>('PATCH', `/api/v1/incidents/${i.id}`, { spokesperson_id: id }, { ifMatch: i.version }));
    } catch (err) {
      onWriteError(err, t, props.reload);
    }
  };
  const addStatement = async () => {
    try {
      const v = await statementForm.validateFields();
      await api('POST', `/api/v1/incidents/${i.id}/statements`, { text: v.text, channel: v.channel, approved_by: v.approved_by,
        published_at: (v.published_at as Dayjs).toISOString() });
      statementForm.resetFields();
      props.onChanged();
    } catch (err) {
      if (!isFormCheck(err)) showError(err, statementForm);
    }
  };
  const parts = ['tasks', 'timeline', 'observables', 'evidence'];
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card size="small" title={t('share.title')}>
        <Table<Share> rowKey="id" size="small" dataSource={shares.data?.items ?? []} pagination={false}
          columns={[
            { title: t('share.organization'), dataIndex: 'organization_id', render: orgName },
            { title: t('share.parts'), dataIndex: 'parts', render: (p: string[]) => [t('share.part_summary'), ...p.map((x) => t(`share.part_${x}`))].join(', ') },
            { title: t('share.purpose'), dataIndex: 'purpose' },
            { title: t('share.since'), dataIndex: 'granted_at', render: showTime },
            { title: t('share.revokedAt'), dataIndex: 'revoked_at', render: (r: string | null) => (r ? showTime(r) : <Tag color="green">{t('share.active')}</Tag>) },
            { title: '', key: 'act', render: (_: unknown, x) => mayShare && !x.revoked_at && <Button danger onClick={() => void revoke(x)}>{t('share.revoke')}</Button> },
          ]} />
        {mayShare && (
          <Form form={shareForm} name="share" layout="inline" style={{ marginTop: 16, rowGap: 8 }} onFinish={() => void share()}
            initialValues={{ parts: ['tasks', 'timeline'] }}>
            <Form.Item name="organization_id" label={t('share.organization')} rules={[{ required: true, message: t('validation.required') }]}>
              <Select style={{ width: 360 }} options={targets.data?.items.map((o) => ({ value: o.id, label: o.name }))} />
            </Form.Item>
            <Form.Item name="parts" label={t('share.parts')}>
              <Checkbox.Group options={parts.map((x) => ({ value: x, label: t(`share.part_${x}`) }))} />
            </Form.Item>
            <Form.Item name="purpose" label={t('share.purpose')}><Input style={{ width: 260 }} /></Form.Item>
            <Button type="primary" htmlType="submit">{t('share.add')}</Button>
          </Form>
        )}
      </Card>
      <Card size="small" title={t('statement.title')}>
        <Space style={{ marginBottom: 16 }}>
          <Typography.Text strong>{t('statement.spokesperson')}:</Typography.Text>
          <Select style={{ width: 300 }} allowClear disabled={!owner} value={i.spokesperson_id ?? undefined} aria-label={t('statement.spokesperson')}
            onChange={(v) => void setSpokesperson(v ?? null)}
            options={(users.data?.items ?? (i.spokesperson_id ? [{ id: i.spokesperson_id, display_name: i.spokesperson_id }] : []))
              .map((u) => ({ value: u.id, label: u.display_name }))} />
        </Space>
        <Table<Statement> rowKey="id" size="small" dataSource={statements.data?.items ?? []} pagination={false}
          columns={[
            { title: t('statement.publishedAt'), dataIndex: 'published_at', render: showTime },
            { title: t('statement.channel'), dataIndex: 'channel' },
            { title: t('statement.text'), dataIndex: 'text' },
            { title: t('statement.approvedBy'), dataIndex: 'approved_by' },
          ]} />
        {owner && (
          <Form form={statementForm} name="statement" layout="vertical" style={{ marginTop: 16 }} initialValues={{ published_at: dayjs() }}
            onFinish={() => void addStatement()}>
            <Form.Item name="text" label={t('statement.text')} rules={[{ required: true, message: t('validation.required') }]}><Input.TextArea rows={2} /></Form.Item>
            <Space wrap>
              <Form.Item name="channel" label={t('statement.channel')} rules={[{ required: true, message: t('validation.required') }]}><Input style={{ width: 240 }} /></Form.Item>
              <Form.Item name="published_at" label={t('statement.publishedAt')} rules={[{ required: true, message: t('validation.required') }]}>
                <DatePicker showTime format="DD/MM/YYYY HH:mm" />
              </Form.Item>
              <Form.Item name="approved_by" label={t('statement.approvedBy')} rules={[{ required: true, message: t('validation.required') }]}><Input style={{ width: 240 }} /></Form.Item>
            </Space>
            <Button htmlType="submit">{t('statement.add')}</Button>
          </Form>
        )}
      </Card>
    </Space>
  );
}

function History(props: { incident: Incident }) {
  const { t } = useTranslation();
  const id = props.incident.id;
  const history = useQuery({ queryKey: ['incident', id, 'transitions', props.incident.version],
    queryFn: () => api<{ items: Transition[] }>('GET', `/api/v1/incidents/${id}/transitions`) });
  return (
    <Row gutter={24}>
      <Col xs={24} lg={16}>
        <Table<Transition> rowKey="id" size="small" loading={history.isPending} dataSource={history.data?.items ?? []} pagination={false}
          columns={[
            { title: t('audit.at'), dataIndex: 'at', render: showTime },
            { title: t('incident.steps'), dataIndex: 'step', render: (s: string) => t(`step.${s}`) },
            { title: t('incident.phase'), key: 'to', render: (_: unknown, x) => <Space><PhaseTag phase={x.from} />→<PhaseTag phase={x.to} /></Space> },
            { title: t('incident.reason'), dataIndex: 'reason' },
            { title: t('audit.actor'), dataIndex: 'actor_name' },
          ]} />
      </Col>
      <Col xs={24} lg={8}>
        <Card size="small" title={props.incident.is_drill ? t('incident.drillScorecard') : t('incident.scorecard')} data-testid="scorecard">
          <Table size="small" rowKey="phase" pagination={false} dataSource={props.incident.phase_reached}
            columns={[
              { title: t('incident.phase'), dataIndex: 'phase', render: (p: string) => t(`phase.${p}`) },
              { title: t('incident.reachedAt'), dataIndex: 'at', render: showTime },
              { title: t('incident.sinceDetection'), dataIndex: 'since_detection_seconds', render: (s: number) => showDuration(s, t('time.day')) },
              { title: t('incident.sincePrevious'), dataIndex: 'since_previous_seconds', render: (s: number) => showDuration(s, t('time.day')) },
            ]} />
          <Typography.Paragraph style={{ marginTop: 8 }}>{t('incident.loops')}: {props.incident.loop_count}</Typography.Paragraph>
        </Card>
      </Col>
    </Row>
  );
}

export function IncidentPage(props: { me: Me }) {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const incident = useIncident(id);
  const taxonomy = useTaxonomy();
  const profiles = useQuery({ queryKey: ['profiles'], queryFn: () => api<{ items: Profile[] }>('GET', '/api/v1/regulatory-profiles') });
  const [step, setStep] = useState<string | null>(null);
  const reload = () => void qc.invalidateQueries({ queryKey: ['incident', id] });
  const put = (i: Incident) => {
    qc.setQueryData(['incident', id], i);
    void qc.invalidateQueries({ queryKey: ['incident', id], predicate: (q) => q.queryKey.length > 2 });
  };
  if (incident.isPending) return <Card loading />;
  if (incident.error || !incident.data) return <Alert type="error" message={incident.error instanceof ApiError ? incident.error.problem.title : String(incident.error)} />;
  const i = incident.data;
  const profile = profiles.data?.items.find((p) => p.id === i.profile);
  const current = kMainPhases.indexOf(i.phase === 'awaiting_approval' ? 'response_chosen' : i.phase);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      {i.is_drill && <Alert type="warning" showIcon message={t('incident.drillBanner')} />}
      {i.shared_parts && <Alert type="info" showIcon message={`${t('share.sharedBy')} ${i.organization_name}`} />}
      <Card title={<Space wrap><span>{i.reference}</span><span data-testid="incident-title">{i.title}</span><PhaseTag phase={i.phase} />
        <SeriousTag serious={i.serious} /><DrillTag drill={i.is_drill} /></Space>}>
        <Steps size="small" progressDot current={current} status={i.phase === 'dismissed' ? 'error' : undefined}
          items={kMainPhases.map((p) => ({ title: t(`phase.${p}`) }))} style={{ marginBottom: 16, overflowX: 'auto' }} />
        <Descriptions size="small" column={{ xs: 1, md: 3 }} items={[
          { key: 's', label: t('incident.scenario'), children: nameOf(taxonomy.data?.scenarios, i.scenario) },
          { key: 'v', label: t('incident.severity'), children: nameOf(taxonomy.data?.severities, i.severity) },
          { key: 'd', label: t('incident.detectedAt'), children: showTime(i.detected_at) },
          { key: 'o', label: t('incident.source'), children: t(`incident.source_${i.source}`) },
          { key: 'p', label: t('incident.profile'), children: profile?.name ?? i.profile },
          { key: 'l', label: t('incident.loops'), children: i.loop_count },
        ]} />
        <Space wrap style={{ marginTop: 8 }}>
          <Typography.Text strong>{t('incident.steps')}:</Typography.Text>
          {i.steps.length === 0 && <Typography.Text type="secondary">{t('incident.noSteps')}</Typography.Text>}
          {i.merged_into && <Alert type="info" showIcon message={t('incident.merged')} />}
          {i.steps.map((s) => (
            <Button key={s} type={s === 'dismiss' || s === 'not-stable' ? 'default' : 'primary'} danger={s === 'dismiss'} onClick={() => setStep(s)}>
              {t(`step.${s}`)}
            </Button>
          ))}
          {i.can_change && !i.merged_into && <MergeButton incident={i} onDone={put} reload={reload} />}
        </Space>
      </Card>
      <Card>
        <Tabs items={[
          { key: 'summary', label: t('incident.classification'), children: <Classification incident={i} profile={profile} onSaved={put} reload={reload} /> },
          { key: 'tasks', label: t('incident.tasks'), children: <Tasks incident={i} /> },
          { key: 'timeline', label: t('incident.timeline'), children: <IncidentTimeline incident={i} /> },
          { key: 'observables', label: t('incident.observables'), children: <Observables incident={i} /> },
          { key: 'evidence', label: t('incident.evidence'), children: <EvidenceTab incident={i} /> },
          { key: 'approvals', label: t('incident.approvals'), children: <Approvals incident={i} me={props.me} onDecided={reload} /> },
          { key: 'obligations', label: t('incident.obligations'), children: <Obligations incident={i} onRecorded={reload} /> },
          { key: 'followups', label: t('incident.followups'), children: <Followups incident={i} /> },
          { key: 'team', label: t('incident.team'), children: <Team incident={i} me={props.me} onChanged={reload} /> },
          { key: 'comments', label: t('incident.comments'), children: <Comments incident={i} /> },
          { key: 'communication', label: t('incident.communication'), children: <Communication incident={i} me={props.me} reload={reload}
            onChanged={(next) => (next ? put(next) : reload())} /> },
          { key: 'history', label: t('incident.history'), children: <History incident={i} /> },
        ]} />
      </Card>
      <StepModal incident={i} step={step} onClose={() => setStep(null)} reload={reload}
        onDone={(next) => { setStep(null); put(next); }} />
    </Space>
  );
}
