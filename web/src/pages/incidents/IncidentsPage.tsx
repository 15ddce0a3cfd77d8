import { Button, Card, Input, Modal, Select, Space, Table, message } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, query, type Incident, type Me, type Schemas } from '../../api/client';
import { showError } from '../../components/formErrors';
import { can, nameOf, useTaxonomy } from '../../api/hooks';
import { showTime } from '../../components/time';
import { IncidentFormModal } from './IncidentForms';
import { DrillTag, PhaseTag, SeriousTag } from './labels';

const kPhases = ['received', 'verifying', 'confirmed', 'initial_response', 'response_chosen', 'awaiting_approval', 'containment',
  'eradication', 'recovery', 'verification', 'closing', 'closed', 'dismissed'];

export function IncidentsPage(props: { me: Me }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const taxonomy = useTaxonomy();
  const [phase, setPhase] = useState<string[]>([]);
  const [scenario, setScenario] = useState<string | undefined>();
  const [text, setText] = useState('');
  const [form, setForm] = useState<'report' | 'create' | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['incidents', phase, scenario, text],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api<{ items: Incident[]; next_cursor: string | null }>('GET', `/api/v1/incidents${query({
        limit: 50, cursor: pageParam, phase: phase.join(','), scenario, q: text,
      })}`),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  // Saved filters: the list's own query string under a name.
  const saved = useQuery({ queryKey: ['saved-filters'], queryFn: () => api<{ items: Schemas['SavedFilter'][] }>('GET', '/api/v1/saved-filters') });
  const [naming, setNaming] = useState(false);
  const [filterName, setFilterName] = useState('');
  const current = query({ phase: phase.join(','), scenario, q: text }).replace(/^\?/, '');
  const applySaved = (id: string) => {
    const f = saved.data?.items.find((x) => x.id === id);
    if (!f) return;
    const params = new URLSearchParams(f.query);
    setPhase((params.get('phase') ?? '').split(',').filter(Boolean));
    setScenario(params.get('scenario') ?? undefined);
    setText(params.get('q') ?? '');
  };
  const saveFilter = async () => {
    try {
      await api('POST', '/api/v1/saved-filters', { name: filterName, query: current });
      setNaming(false);
      setFilterName('');
      void saved.refetch();
    } catch (err) {
      showError(err);
    }
  };
  return (
    <Card title={t('incident.list')} extra={
      <Space>
        {can(props.me, 'incident.report') && <Button onClick={() => setForm('report')}>{t('incident.report')}</Button>}
        {can(props.me, 'incident.manage') && <Button type="primary" onClick={() => setForm('create')}>{t('incident.create')}</Button>}
      </Space>
    }>
      <Space wrap style={{ marginBottom: 16 }}>
        <Select mode="multiple" allowClear style={{ minWidth: 260 }} placeholder={t('incident.allPhases')} value={phase}
          onChange={setPhase} options={kPhases.map((p) => ({ value: p, label: t(`phase.${p}`) }))} aria-label={t('incident.phase')} />
        <Select allowClear showSearch optionFilterProp="label" style={{ width: 320 }} placeholder={t('incident.allScenarios')}
          value={scenario} onChange={setScenario} aria-label={t('incident.scenario')}
          options={taxonomy.data?.scenarios.map((s) => ({ value: s.id, label: `${s.number}. ${s.name}` }))} />
        <Input.Search allowClear placeholder={t('incident.search')} onSearch={setText} style={{ width: 300 }} aria-label={t('incident.search')} />
        <Select allowClear style={{ width: 220 }} placeholder={t('incident.savedFilters')} aria-label={t('incident.savedFilters')}
          onChange={(id?: string) => id && applySaved(id)} options={saved.data?.items.map((f) => ({ value: f.id, label: f.name }))} />
        <Button disabled={!current} onClick={() => setNaming(true)}>{t('incident.saveFilter')}</Button>
      </Space>
      <Modal open={naming} title={t('incident.saveFilter')} onOk={() => void saveFilter()} okButtonProps={{ disabled: !filterName }}
        onCancel={() => setNaming(false)} okText={t('common.save')} cancelText={t('common.cancel')}>
        <Input value={filterName} onChange={(e) => setFilterName(e.target.value)} aria-label={t('incident.filterName')} placeholder={t('incident.filterName')} />
      </Modal>
      <Table<Incident> rowKey="id" loading={list.isPending} dataSource={rows} pagination={false}
        onRow={(i) => ({ onClick: () => navigate(`/incidents/${i.id}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('incident.reference'), dataIndex: 'reference', width: 110 },
          { title: t('incident.name'), dataIndex: 'title',
            render: (v: string, i) => <Space>{v}<SeriousTag serious={i.serious} /><DrillTag drill={i.is_drill} /></Space> },
          ...(rows.some((i) => i.organization_id !== props.me.organization.id && i.shared_parts)
            ? [{ title: t('share.organization'), dataIndex: 'organization_name' }] : []),
          { title: t('incident.phase'), dataIndex: 'phase', render: (p: string) => <PhaseTag phase={p} /> },
          { title: t('incident.scenario'), dataIndex: 'scenario', render: (s: string | null) => nameOf(taxonomy.data?.scenarios, s) },
          { title: t('incident.severity'), dataIndex: 'severity', render: (s: string | null) => nameOf(taxonomy.data?.severities, s) },
          { title: t('incident.detectedAt'), dataIndex: 'detected_at', render: showTime },
        ]} />
      {list.hasNextPage && (
        <Button style={{ marginTop: 16 }} loading={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>
          {t('incident.loadMore')}
        </Button>
      )}
      <IncidentFormModal mode={form ?? 'report'} open={form !== null} onClose={() => setForm(null)}
        onDone={(i) => {
          setForm(null);
          void message.success(t('incident.reportedOk'));
          void list.refetch();
          if (can(props.me, 'incident.read')) navigate(`/incidents/${i.id}`);
        }} />
    </Card>
  );
}
