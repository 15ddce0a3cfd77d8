import { Button, Layout, Menu, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import { useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, type Me } from '../api/client';
import { can } from '../api/hooks';
import { LanguageSwitch } from './LanguageSwitch';

export function AppShell(props: { me: Me; children: ReactNode }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const { me } = props;
  // Only pages that work for this user.
  const items = [
    can(me, 'incident.read') && { key: '/dashboard', label: t('nav.dashboard') },
    can(me, 'incident.read') && { key: '/incidents', label: t('nav.incidents') },
    can(me, 'incident.read') && { key: '/obligations', label: t('nav.obligations') },
    can(me, 'system.read') && { key: '/systems', label: t('nav.systems') },
    can(me, 'organization.read') && { key: '/organizations', label: t('nav.organizations') },
    can(me, 'user.read') && { key: '/users', label: t('nav.users') },
    can(me, 'audit.read') && { key: '/audit', label: t('nav.audit') },
    { key: '/tokens', label: t('nav.tokens') },
    { key: '/account', label: t('nav.account') },
  ].filter(Boolean) as { key: string; label: string }[];
  const signOut = async () => {
    try {
      await api('POST', '/api/v1/auth/logout');
    } finally {
      setCsrfToken('');
      qc.clear();
      void qc.invalidateQueries({ queryKey: ['me'] });
      navigate('/');
    }
  };
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} width={230}>
        <div style={{ color: '#fff', fontSize: 22, fontWeight: 600, padding: '16px 24px' }}>{t('app.name')}</div>
        <Menu theme="dark" mode="inline" selectedKeys={['/' + (location.pathname.split('/')[1] ?? '')]} items={items}
          onClick={(e) => navigate(e.key)} />
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', alignItems: 'center', justifyContent: 'space-between', paddingInline: 24 }}>
          <Typography.Text strong data-testid="org-name">{me.organization.name}</Typography.Text>
          <Space size="middle">
            <LanguageSwitch signedIn />
            <Typography.Text data-testid="user-name">
              {me.display_name} · {t(`role.${me.role}`)}
            </Typography.Text>
            <Button onClick={() => void signOut()}>{t('nav.signOut')}</Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ margin: 24 }}>{props.children}</Layout.Content>
      </Layout>
    </Layout>
  );
}
