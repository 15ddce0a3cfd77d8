import { Button, Card, DatePicker, Descriptions, Drawer, Form, Input, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { api, query, type AuditEntry, type Page } from '../../api/client';
import { showTime } from '../../components/time';

type Filters = { action?: string; actor?: string; target_type?: string; range?: [Dayjs, Dayjs] | null };

function Changes(props: { changes: Record<string, unknown> }) {
  const { t } = useTranslation();
  const rows = Object.entries(props.changes).map(([field, value]) => {
    const isDiff = !!value && typeof value === 'object' && 'from' in (value as object) && 'to' in (value as object);
    const v = value as { from?: unknown; to?: unknown };
    return { field, from: isDiff ? JSON.stringify(v.from) : '', to: isDiff ? JSON.stringify(v.to) : JSON.stringify(value) };
  });
  if (rows.length === 0) return <Typography.Text type="secondary">{t('audit.noChanges')}</Typography.Text>;
  return (
    <Table size="small" rowKey="field" pagination={false} dataSource={rows}
      columns={[
        { title: t('audit.field'), dataIndex: 'field' },
        { title: t('audit.from'), dataIndex: 'from' },
        { title: t('audit.to'), dataIndex: 'to' },
      ]} />
  );
}

export function AuditPage() {
  const { t } = useTranslation();
  const [filters, setFilters] = useState<Filters>({});
  const [cursors, setCursors] = useState<string[]>([]);  // cursors of the pages before this one
  const [cursor, setCursor] = useState<string | undefined>();
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const entries = useQuery({
    queryKey: ['audit', filters, cursor],
    queryFn: () =>
      api<Page<AuditEntry>>('GET', `/api/v1/audit${query({
        limit: 50, cursor, action: filters.action, actor: filters.actor, target_type: filters.target_type,
        from: filters.range?.[0]?.startOf('day').toISOString(), to: filters.range?.[1]?.endOf('day').toISOString(),
      })}`),
  });
  const apply = (f: Filters) => {
    setFilters(f);
    setCursor(undefined);
    setCursors([]);
  };
  return (
    <Card title={t('audit.title')}>
      <Form layout="inline" onFinish={apply} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item name="action" label={t('audit.action')}><Input allowClear placeholder="user.create" /></Form.Item>
        <Form.Item name="actor" label={t('audit.actor')}><Input allowClear /></Form.Item>
        <Form.Item name="target_type" label={t('audit.targetType')}><Input allowClear placeholder="user" /></Form.Item>
        <Form.Item name="range" label={t('audit.range')}><DatePicker.RangePicker /></Form.Item>
        <Button type="primary" htmlType="submit">{t('audit.filter')}</Button>
      </Form>
      <Table<AuditEntry> rowKey="id" loading={entries.isPending} dataSource={entries.data?.items ?? []} pagination={false}
        onRow={(e) => ({ onClick: () => setOpen(e), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('audit.at'), dataIndex: 'at', render: showTime },
          { title: t('audit.actor'), dataIndex: 'actor' },
          { title: t('audit.action'), dataIndex: 'action', render: (a: string) => <code>{a}</code> },
          { title: t('audit.target'), key: 'target', render: (_: unknown, e: AuditEntry) => `${e.target_type} ${e.target_id}` },
          { title: t('audit.outcome'), dataIndex: 'outcome', render: (o: string) => <Tag color={o === 'success' ? 'green' : 'red'}>{t(`audit.outcomes.${o}`)}</Tag> },
          { title: t('audit.address'), dataIndex: 'address' },
        ]} />
      <Space style={{ marginTop: 16 }}>
        <Button disabled={cursors.length === 0} onClick={() => { setCursor(undefined); setCursors([]); }}>{t('audit.first')}</Button>
        <Button disabled={cursors.length === 0} onClick={() => { const prev = [...cursors]; const c = prev.pop(); setCursors(prev); setCursor(c === '' ? undefined : c); }}>{t('audit.previous')}</Button>
        <Button disabled={!entries.data?.next_cursor} onClick={() => { setCursors([...cursors, cursor ?? '']); setCursor(entries.data!.next_cursor!); }}>{t('audit.next')}</Button>
      </Space>
      <Drawer open={open !== null} width={640} title={open ? `${t('audit.entry')} #${open.id}` : ''} onClose={() => setOpen(null)}>
        {open ? (
          <Space direction="vertical" style={{ width: '100%' }} size="large">
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('audit.at')}>{showTime(open.at)}</Descriptions.Item>
              <Descriptions.Item label={t('audit.actor')}>{open.actor}</Descriptions.Item>
              <Descriptions.Item label={t('audit.action')}><code>{open.action}</code></Descriptions.Item>
              <Descriptions.Item label={t('audit.target')}>{`${open.target_type} ${open.target_id}`}</Descriptions.Item>
              <Descriptions.Item label={t('audit.outcome')}>{t(`audit.outcomes.${open.outcome}`)}</Descriptions.Item>
              <Descriptions.Item label={t('audit.address')}>{open.address}</Descriptions.Item>
              <Descriptions.Item label={t('audit.userAgent')}>{open.user_agent}</Descriptions.Item>
              <Descriptions.Item label={t('audit.hash')}><code style={{ wordBreak: 'break-all' }}>{open.hash}</code></Descriptions.Item>
              <Descriptions.Item label={t('audit.prevHash')}><code style={{ wordBreak: 'break-all' }}>{open.prev_hash}</code></Descriptions.Item>
            </Descriptions>
            <Typography.Title level={5}>{t('audit.changes')}</Typography.Title>
            <Changes changes={open.changes as Record<string, unknown>} />
          </Space>
        ) : null}
      </Drawer>
    </Card>
  );
}
