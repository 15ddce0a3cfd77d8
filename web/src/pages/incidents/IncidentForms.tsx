// The staff report form (anyone who may report) and the responder's new-incident form.
import { Checkbox, DatePicker, Form, Input, Modal, Select } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Incident } from '../../api/client';
import { useSystems, useTaxonomy } from '../../api/hooks';
import { isFormCheck, showError } from '../../components/formErrors';

type Values = {
  title: string; description?: string; detected_at?: Dayjs; occurred_at?: Dayjs; reporter_contact?: string;
  scenario?: string; severity?: string; system_ids?: string[]; is_drill?: boolean;
  source?: string; external_organization?: string; external_reference?: string; external_date?: string;
};

export function IncidentFormModal(props: { mode: 'report' | 'create'; open: boolean; onClose: () => void; onDone: (i: Incident) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const taxonomy = useTaxonomy();
  const systems = useSystems();
  const full = props.mode === 'create';
  const source = Form.useWatch('source', form);
  const submit = async () => {
    try {
      const v = await form.validateFields();
      setBusy(true);
      const body: Record<string, unknown> = { title: v.title, description: v.description ?? '' };
      if (v.detected_at) body.detected_at = v.detected_at.toISOString();
      if (v.occurred_at) body.occurred_at = v.occurred_at.toISOString();
      if (!full) body.reporter_contact = v.reporter_contact ?? '';
      if (full) {
        if (v.scenario) body.scenario = v.scenario;
        if (v.severity) body.severity = v.severity;
        if (v.system_ids?.length) body.system_ids = v.system_ids;
        body.is_drill = !!v.is_drill;
        body.source = v.source ?? 'responder';
        if (v.source === 'external-notice') {
          body.external_organization = v.external_organization ?? '';
          body.external_reference = v.external_reference ?? '';
          body.external_date = v.external_date ?? '';
        }
      }
      const created = await api<Incident>('POST', full ? '/api/v1/incidents' : '/api/v1/incidents/report', body);
      form.resetFields();
      props.onDone(created);
    } catch (err) {
      if (!isFormCheck(err)) showError(err, form);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open={props.open} title={full ? t('incident.create') : t('incident.report')} okText={t('incident.save')}
      cancelText={t('common.cancel')} confirmLoading={busy} onOk={() => void submit()} onCancel={props.onClose} destroyOnClose>
      <Form form={form} name="incident" layout="vertical" initialValues={{ detected_at: dayjs() }}>
        {!full && <p>{t('incident.reportHelp')}</p>}
        <Form.Item name="title" label={t('incident.name')} rules={[{ required: true, message: t('validation.required') }, { max: 300 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t('incident.description')}
          rules={full ? [] : [{ required: true, message: t('validation.required') }]}>
          <Input.TextArea rows={4} />
        </Form.Item>
        <Form.Item name="detected_at" label={t('incident.detectedAt')}>
          <DatePicker showTime format="DD/MM/YYYY HH:mm" />
        </Form.Item>
        <Form.Item name="occurred_at" label={t('incident.occurredAt')}>
          <DatePicker showTime format="DD/MM/YYYY HH:mm" />
        </Form.Item>
        {!full && (
          <Form.Item name="reporter_contact" label={t('incident.contact')}><Input /></Form.Item>
        )}
        {full && (
          <>
            <Form.Item name="scenario" label={t('incident.scenario')}>
              <Select allowClear showSearch optionFilterProp="label"
                options={taxonomy.data?.scenarios.map((s) => ({ value: s.id, label: `${s.number}. ${s.name}` }))} />
            </Form.Item>
            <Form.Item name="severity" label={t('incident.severity')}>
              <Select allowClear options={taxonomy.data?.severities.map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
            <Form.Item name="system_ids" label={t('incident.systems')}>
              <Select mode="multiple" allowClear options={systems.data?.items.map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
            <Form.Item name="source" label={t('incident.source')} initialValue="responder">
              <Select options={['responder', 'external-notice', 'detection'].map((x) => ({ value: x, label: t(`incident.source_${x}`) }))} />
            </Form.Item>
            {source === 'external-notice' && (
              <>
                <Form.Item name="external_organization" label={t('incident.externalOrganization')} rules={[{ required: true, message: t('validation.required') }]}>
                  <Input placeholder="VNCERT/CC" />
                </Form.Item>
                <Form.Item name="external_reference" label={t('incident.externalReference')}><Input /></Form.Item>
                <Form.Item name="external_date" label={t('incident.externalDate')}><Input placeholder="26/11/2026" /></Form.Item>
              </>
            )}
            <Form.Item name="is_drill" valuePropName="checked"><Checkbox>{t('incident.isDrill')}</Checkbox></Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
