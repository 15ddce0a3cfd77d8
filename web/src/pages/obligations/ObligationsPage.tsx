// What is still owed — notifications and reports with their deadlines — across the incidents
// the user sees: the agency's own, and for a coordinator those its agencies share with it.
import { Card, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { api, type Schemas } from '../../api/client';
import { showTime } from '../../components/time';

type Owed = Schemas['OwedObligation'];

export function ObligationsPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const owed = useQuery({ queryKey: ['obligations'], queryFn: () => api<{ items: Owed[] }>('GET', '/api/v1/obligations') });
  return (
    <Card title={t('obligation.title')}>
      <Table<Owed> rowKey={(r) => `${r.incident_id}/${r.obligation.id}`} loading={owed.isPending} dataSource={owed.data?.items ?? []}
        pagination={{ pageSize: 50 }} onRow={(r) => ({ onClick: () => navigate(`/incidents/${r.incident_id}`), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('incident.reference'), dataIndex: 'reference', width: 110 },
          { title: t('incident.name'), dataIndex: 'title', render: (v: string, r) => <Space>{v}{r.is_drill && <Tag color="purple">{t('incident.drill')}</Tag>}</Space> },
          { title: t('share.organization'), dataIndex: 'organization_name' },
          { title: t('obligation.name'), key: 'name', render: (_: unknown, r) => (
            <Space direction="vertical" size={0}>
              <Typography.Text>{r.obligation.name}</Typography.Text>
              <Typography.Text type="secondary">{r.obligation.source}</Typography.Text>
            </Space>) },
          { title: t('obligation.status'), key: 'status', render: (_: unknown, r) => (
            <Tag color={r.obligation.status === 'overdue' ? 'red' : 'blue'}>{t(`obligation.status_${r.obligation.status}`)}</Tag>) },
          { title: t('obligation.due'), key: 'due', render: (_: unknown, r) => (r.obligation.due === 'none' ? t('obligation.noDeadline') : showTime(r.obligation.due_at)) },
        ]} />
    </Card>
  );
}
