import { ConfigProvider, Spin } from 'antd';
import viVN from 'antd/locale/vi_VN';
import enUS from 'antd/locale/en_US';
import 'dayjs/locale/vi';
import dayjs from 'dayjs';
import { Suspense, lazy, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router-dom';
import { ApiError } from './api/client';
import { useMe } from './api/hooks';
import { setLanguage } from './i18n';
import { AppShell } from './components/AppShell';
import { LoginPage } from './pages/login/LoginPage';
import { OrganizationsPage } from './pages/organizations/OrganizationsPage';
import { UsersPage } from './pages/users/UsersPage';
import { TokensPage } from './pages/tokens/TokensPage';
import { AccountPage, ForcedPasswordChange, ForcedTotpEnrolment } from './pages/account/AccountPage';
import { AuditPage } from './pages/audit/AuditPage';
import { IncidentsPage } from './pages/incidents/IncidentsPage';
import { IncidentPage } from './pages/incidents/IncidentPage';
import { SystemsPage } from './pages/systems/SystemsPage';
import { ObligationsPage } from './pages/obligations/ObligationsPage';
// The dashboard carries ECharts: loaded only when opened.
const DashboardPage = lazy(() => import('./pages/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })));

export function App() {
  const { i18n } = useTranslation();
  const me = useMe();
  useEffect(() => {
    dayjs.locale(i18n.language === 'en' ? 'en' : 'vi');
  }, [i18n.language]);
  // The user's own language, once known, wins over the one chosen before sign-in.
  useEffect(() => {
    if (me.data && me.data.locale !== i18n.language) setLanguage(me.data.locale);
  }, [me.data, i18n]);

  let content;
  if (me.isPending) {
    content = <Spin fullscreen />;
  } else if (me.error || !me.data) {
    const signedOut = me.error instanceof ApiError && me.error.status === 401;
    content = <LoginPage failed={!signedOut ? me.error : null} />;
  } else if (me.data.password_change_required) {
    content = <ForcedPasswordChange me={me.data} />;
  } else if (me.data.totp_enrolment_required) {
    content = <ForcedTotpEnrolment me={me.data} />;
  } else {
    const m = me.data;
    content = (
      <AppShell me={m}>
        <Routes>
          <Route path="/" element={<Navigate to="/incidents" replace />} />
          <Route path="/dashboard" element={<Suspense fallback={<Spin />}><DashboardPage /></Suspense>} />
          <Route path="/incidents" element={<IncidentsPage me={m} />} />
          <Route path="/incidents/:id" element={<IncidentPage me={m} />} />
          <Route path="/systems" element={<SystemsPage me={m} />} />
          <Route path="/obligations" element={<ObligationsPage />} />
          <Route path="/organizations" element={<OrganizationsPage me={m} />} />
          <Route path="/users" element={<UsersPage me={m} />} />
          <Route path="/audit" element={<AuditPage />} />
          <Route path="/tokens" element={<TokensPage />} />
          <Route path="/account" element={<AccountPage me={m} />} />
          <Route path="*" element={<Navigate to="/incidents" replace />} />
        </Routes>
      </AppShell>
    );
  }
  return (
    <ConfigProvider locale={i18n.language === 'en' ? enUS : viVN} theme={{ token: { colorPrimary: '#b71c1c' } }}>
      {content}
    </ConfigProvider>
  );
}
