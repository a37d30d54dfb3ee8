import { Navigate, Route, Routes } from 'react-router';
import { LoginPage } from './pages/auth/login.js';
import { SetPasswordPage } from './pages/auth/set-password.js';
import { ResetPasswordPage } from './pages/auth/reset-password.js';
import { PrivacyPage } from './pages/auth/privacy.js';
import { PortalPage } from './pages/auth/portal.js';
import { RequireSession } from './components/session.js';
import { Shell } from './components/shell.js';
import { DashboardPage } from './pages/dashboard.js';
import { GatewaysPage } from './pages/gateways.js';
import { RulesPage } from './pages/policy/rules.js';
import { ProfilesPage } from './pages/policy/profiles.js';
import { ListsPage } from './pages/policy/lists.js';
import { AddressesPage } from './pages/policy/addresses.js';
import { ServicesPage } from './pages/policy/services.js';
import { UsersPage } from './pages/policy/users.js';
import { CategoriesPage } from './pages/policy/categories.js';
import { ReclassificationsPage } from './pages/intel/reclassifications.js';
import { LogsPage } from './pages/analytics/logs.js';
import { ReportsPage } from './pages/analytics/reports.js';
import { SandboxPage } from './pages/analytics/sandbox.js';
import { MaintenancePage } from './pages/admin/maintenance.js';
import { CertificatesPage } from './pages/admin/certificates.js';
import { CertificateInstallPage } from './pages/admin/certificate-install.js';
import { AlertsPage } from './pages/admin/alerts.js';
import { AccountsPage } from './pages/admin/accounts.js';
import { TenantsPage } from './pages/operator/tenants.js';
import { OperatorAlertsPage } from './pages/operator/alerts.js';
import { NotFound } from './components/not-found.js';

export function App() {
  return (
    <Routes>
      <Route path="/" element={<Navigate to="/portal" replace />} />
      <Route path="/login" element={<LoginPage />} />
      <Route path="/set-password" element={<SetPasswordPage />} />
      <Route path="/reset-password" element={<ResetPasswordPage />} />
      <Route element={<RequireSession />}>
        <Route path="/privacy" element={<PrivacyPage />} />
        <Route path="/portal" element={<PortalPage />} />
        <Route path="/operator" element={<Shell operator />}>
          <Route index element={<TenantsPage />} />
          <Route path="alerts" element={<OperatorAlertsPage />} />
        </Route>
        <Route path="/tenants/:tenantId" element={<Shell />}>
          <Route index element={<Navigate to="dashboard" replace />} />
          <Route path="dashboard" element={<DashboardPage />} />
          <Route path="gateways" element={<GatewaysPage />} />
          <Route path="policy/rules" element={<RulesPage />} />
          <Route path="policy/profiles" element={<ProfilesPage />} />
          <Route path="policy/lists" element={<ListsPage />} />
          <Route path="policy/objects/addresses" element={<AddressesPage />} />
          <Route path="policy/objects/services" element={<ServicesPage />} />
          <Route path="policy/objects/users" element={<UsersPage />} />
          <Route path="policy/objects/categories" element={<CategoriesPage />} />
          <Route path="policy/reclassifications" element={<ReclassificationsPage />} />
          <Route path="analytics/logs" element={<LogsPage />} />
          <Route path="analytics/reports" element={<ReportsPage />} />
          <Route path="analytics/sandbox" element={<SandboxPage />} />
          <Route path="admin/maintenance" element={<MaintenancePage />} />
          <Route path="admin/certificates" element={<CertificatesPage />} />
          <Route path="admin/certificates/install" element={<CertificateInstallPage />} />
          <Route path="admin/alerts" element={<AlertsPage />} />
          <Route path="admin/accounts" element={<AccountsPage />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Route>
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
