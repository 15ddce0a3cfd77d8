// The dashboard: incident figures of the agency (and, for a coordinator, of what its agencies
// share with it) over a period; drills left out unless asked for.
import { Card, Checkbox, Col, DatePicker, Row, Space, Statistic, Table, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { api, query, type Schemas } from '../../api/client';
import { nameOf, useTaxonomy } from '../../api/hooks';
import { Chart, type ChartOption } from '../../components/Chart';
import { showTime } from '../../components/time';

type Stats = Schemas['IncidentStatistics'];
type Followup = Schemas['Followup'];

function hours(minutes: number | null | undefined) {
  return minutes === null || minutes === undefined ? '—' : (minutes / 60).toFixed(1);
}

function bars(entries: [string, number][], horizontal = false): ChartOption {
  const names = entries.map(([k]) => k);
  const values = entries.map(([, v]) => v);
  const category = { type: 'category', data: names, axisLabel: { width: 220, overflow: 'truncate' } };
  const value = { type: 'value', minInterval: 1 };
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: horizontal ? 230 : 40, right: 20, top: 20, bottom: 30 },
    xAxis: horizontal ? value : category,
    yAxis: horizontal ? { ...category, inverse: true } : value,
    series: [{ type: 'bar', data: values, itemStyle: { color: '#b71c1c' } }],
  };
}

export function DashboardPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const taxonomy = useTaxonomy();
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(1, 'year').startOf('day'), dayjs().endOf('day')]);
  const [drills, setDrills] = useState(false);
  const stats = useQuery({
    queryKey: ['stats', range[0].toISOString(), range[1].toISOString(), drills],
    queryFn: () => api<Stats>('GET', `/api/v1/stats/incidents${query({ from: range[0].toISOString(), to: range[1].toISOString(), drills })}`),
  });
  const followups = useQuery({ queryKey: ['followups'], queryFn: () => api<{ items: Followup[] }>('GET', '/api/v1/followups') });
  const s = stats.data;
  const charts = useMemo(() => {
    if (!s) return null;
    const named = (m: Record<string, number>, list?: { id: string; name: string }[]) =>
      Object.entries(m).map(([k, v]) => [k ? nameOf(list, k) : t('dashboard.unclassified'), v] as [string, number]).sort((a, b) => b[1] - a[1]);
    return {
      scenario: bars(named(s.by_scenario, taxonomy.data?.scenarios), true),
      month: { tooltip: { trigger: 'axis' }, grid: { left: 40, right: 20, top: 20, bottom: 30 },
        xAxis: { type: 'category', data: Object.keys(s.by_month) }, yAxis: { type: 'value', minInterval: 1 },
        series: [{ type: 'line', data: Object.values(s.by_month), smooth: true, showSymbol: true, symbolSize: 8, areaStyle: {}, itemStyle: { color: '#b71c1c' } }] } as ChartOption,
      severity: { tooltip: { trigger: 'item' }, legend: { bottom: 0 },
        series: [{ type: 'pie', radius: ['35%', '65%'], data: named(s.by_severity, taxonomy.data?.severities).map(([name, value]) => ({ name, value })) }] } as ChartOption,
      cause: bars(named(s.by_cause, taxonomy.data?.cause_classes), true),
    };
  }, [s, taxonomy.data, t]);
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Card title={t('dashboard.title')} extra={
        <Space>
          <DatePicker.RangePicker value={range} allowClear={false} format="DD/MM/YYYY"
            onChange={(v) => v && v[0] && v[1] && setRange([v[0].startOf('day'), v[1].endOf('day')])} />
          <Checkbox checked={drills} onChange={(e) => setDrills(e.target.checked)}>{t('dashboard.includeDrills')}</Checkbox>
        </Space>
      } loading={stats.isPending}>
        {s && (
          <Row gutter={[24, 24]}>
            <Col xs={12} md={6}><Statistic title={t('dashboard.total')} value={s.total} /></Col>
            <Col xs={12} md={6}><Statistic title={t('dashboard.serious')} value={s.serious} valueStyle={{ color: s.serious ? '#b71c1c' : undefined }} /></Col>
            <Col xs={12} md={6}><Statistic title={t('dashboard.open')} value={s.open} /></Col>
            <Col xs={12} md={6}><Statistic title={t('dashboard.loopBacks')} value={s.loop_backs} /></Col>
            {([['detect', s.time_to_detect], ['contain', s.time_to_contain], ['recover', s.time_to_recover]] as const).map(([k, d]) => (
              <Col xs={24} md={8} key={k}>
                <Card size="small" title={t(`dashboard.time_${k}`)}>
                  <Space size="large">
                    <Statistic title={t('dashboard.mean')} value={hours(d.mean_minutes)} suffix={t('dashboard.hours')} />
                    <Statistic title={t('dashboard.median')} value={hours(d.median_minutes)} suffix={t('dashboard.hours')} />
                    <Typography.Text type="secondary">n = {d.count}</Typography.Text>
                  </Space>
                </Card>
              </Col>
            ))}
          </Row>
        )}
      </Card>
      {charts && (
        <Row gutter={[24, 24]}>
          <Col xs={24} xl={12}><Card title={t('dashboard.byScenario')}><Chart label={t('dashboard.byScenario')} option={charts.scenario} height={360} /></Card></Col>
          <Col xs={24} xl={12}><Card title={t('dashboard.byMonth')}><Chart label={t('dashboard.byMonth')} option={charts.month} height={360} /></Card></Col>
          <Col xs={24} xl={12}><Card title={t('dashboard.bySeverity')}><Chart label={t('dashboard.bySeverity')} option={charts.severity} /></Card></Col>
          <Col xs={24} xl={12}><Card title={t('dashboard.byCause')}><Chart label={t('dashboard.byCause')} option={charts.cause} /></Card></Col>
        </Row>
      )}
      <Card title={t('dashboard.followups')}>
        <Table<Followup> rowKey="id" size="small" loading={followups.isPending} dataSource={followups.data?.items ?? []} pagination={{ pageSize: 20 }}
          onRow={(f) => ({ onClick: () => navigate(`/incidents/${f.incident_id}`), style: { cursor: 'pointer' } })}
          columns={[
            { title: t('followup.action'), dataIndex: 'action' },
            { title: t('followup.owner'), dataIndex: 'owner_name' },
            { title: t('followup.due'), dataIndex: 'due_at', render: showTime },
          ]} />
      </Card>
    </Space>
  );
}
