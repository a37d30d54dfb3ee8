import { Box, Group, Menu, SegmentedControl, Select, Text, UnstyledButton } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { NavLink, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { operator as operatorApi } from '../api/endpoints.js';
import { useSession, useSignOut } from './session.js';
import { currentLang, setLang, type Lang } from '../i18n/index.js';
import { DeployBanner } from './deploy.js';
import { Logo } from './logo.js';

interface SideItem {
  to: string;
  label: string;
  sub?: boolean;
  group?: string;
}

/** The manual's main menu (§4) and, per section, its side menu. */
function sections(t: (k: string) => string, base: string) {
  return [
    { key: 'dashboard', label: t('menu.dashboard'), to: `${base}/dashboard`, side: [] as SideItem[] },
    { key: 'gateways', label: t('menu.gateways'), to: `${base}/gateways`, side: [] },
    {
      key: 'policy',
      label: t('menu.policy'),
      to: `${base}/policy/rules`,
      side: [
        { to: `${base}/policy/rules`, label: t('menu.rules') },
        { to: `${base}/policy/profiles`, label: t('menu.profiles') },
        { to: `${base}/policy/lists`, label: t('menu.lists') },
        { to: `${base}/policy/objects/addresses`, label: t('menu.addresses'), sub: true, group: t('menu.objects') },
        { to: `${base}/policy/objects/services`, label: t('menu.services'), sub: true },
        { to: `${base}/policy/objects/users`, label: t('menu.users'), sub: true },
        { to: `${base}/policy/objects/categories`, label: t('menu.customCategories'), sub: true },
        { to: `${base}/policy/reclassifications`, label: t('menu.reclassifications') },
      ],
    },
    {
      key: 'analytics',
      label: t('menu.analytics'),
      to: `${base}/analytics/logs`,
      side: [
        { to: `${base}/analytics/logs`, label: t('menu.logs') },
        { to: `${base}/analytics/reports`, label: t('menu.reports') },
        { to: `${base}/analytics/sandbox`, label: t('menu.sandbox') },
      ],
    },
    {
      key: 'admin',
      label: t('menu.admin'),
      to: `${base}/admin/maintenance`,
      side: [
        { to: `${base}/admin/maintenance`, label: t('menu.maintenance') },
        { to: `${base}/admin/certificates`, label: t('menu.certificates') },
        { to: `${base}/admin/certificates/install`, label: t('menu.certificateInstall'), sub: true },
        { to: `${base}/admin/alerts`, label: t('menu.alerts') },
        { to: `${base}/admin/accounts`, label: t('menu.accounts') },
      ],
    },
  ];
}

export function LanguageSwitch({ dark }: { dark?: boolean }) {
  const { t } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('app.language')}
      value={currentLang()}
      onChange={(v) => setLang(v as Lang)}
      data={[
        { value: 'ja', label: '日本語' },
        { value: 'en', label: 'English' },
      ]}
      {...(dark ? { color: 'teal' } : {})}
    />
  );
}

/** The operator chooses the tenant it looks at; the same page of the chosen tenant opens. */
function TenantSwitch({ tenantId }: { tenantId: string | undefined }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const loc = useLocation();
  const q = useQuery({ queryKey: ['tenants'], queryFn: operatorApi.tenants });
  const choose = (id: string | null) => {
    if (!id || id === tenantId) return;
    const rest = tenantId ? loc.pathname.slice(`/tenants/${encodeURIComponent(tenantId)}`.length) : '';
    navigate(`/tenants/${encodeURIComponent(id)}${rest && rest !== '/' ? rest : '/dashboard'}`);
  };
  return (
    <Select size="xs" w={220} searchable aria-label={t('app.tenant')} placeholder={t('app.chooseTenant')} data-testid="tenant-switch"
      value={tenantId ?? null} onChange={choose} allowDeselect={false} nothingFoundMessage={t('common.noData')}
      data={(q.data ?? []).map((tn) => ({ value: tn.id, label: tn.name }))} />
  );
}

export function Shell({ operator }: { operator?: boolean }) {
  const { t } = useTranslation();
  const session = useSession();
  const signOut = useSignOut();
  const { tenantId } = useParams();
  const loc = useLocation();
  const base = tenantId ? `/tenants/${encodeURIComponent(tenantId)}` : '';
  const secs = operator || !tenantId ? [] : sections(t, base);
  const active = secs.find((s) => loc.pathname.startsWith(`${base}/${s.key === 'dashboard' || s.key === 'gateways' ? s.key : s.key + '/'}`));
  const isOperator = session.account.role === 'operator';
  const operatorSide: SideItem[] = [
    { to: '/operator', label: t('menu.tenants') },
    { to: '/operator/alerts', label: t('menu.operatorAlerts') },
  ];
  const side = operator ? operatorSide : (active?.side ?? []);
  return (
    <Box mih="100vh" style={{ display: 'flex', flexDirection: 'column' }}>
      <header className="mamori-header">
        <Group h={52} px="md" justify="space-between" wrap="nowrap">
          <Group gap="lg" wrap="nowrap">
            <Logo />
            <nav className="mamori-mainmenu" aria-label="main">
              {secs.map((s) => (
                <NavLink key={s.key} to={s.to} className={active?.key === s.key ? 'active' : ''}>
                  {s.label}
                </NavLink>
              ))}
              {isOperator && (
                <NavLink to="/operator" className={operator ? 'active' : ''} end>
                  {t('menu.operator')}
                </NavLink>
              )}
            </nav>
          </Group>
          <Group gap="md" wrap="nowrap">
            {isOperator && <TenantSwitch tenantId={tenantId} />}
            <LanguageSwitch dark />
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton c="white" data-testid="account-menu">
                  <Text size="sm" fw={500}>
                    {session.account.id}
                  </Text>
                  <Text size="xs" c="gray.4">
                    {t(`app.role.${session.account.role}`)}
                    {tenantId ? ` · ${tenantId}` : ''}
                  </Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Item component={NavLink} to="/portal">
                  {t('portal.title')}
                </Menu.Item>
                <Menu.Item onClick={() => void signOut()}>{t('app.signOut')}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </header>
      {tenantId && <DeployBanner tenantId={tenantId} />}
      <Box style={{ display: 'flex', flex: 1 }}>
        {side.length > 0 && (
          <nav className="mamori-side" aria-label="section" style={{ width: 230, background: '#fff', borderRight: '1px solid #e1e6ea', paddingTop: 8 }}>
            {side.map((s) => (
              <div key={s.to} className={s.sub ? 'sub' : ''}>
                {s.group && <div className="group">{s.group}</div>}
                <NavLink to={s.to} end>
                  {s.label}
                </NavLink>
              </div>
            ))}
          </nav>
        )}
        <Box component="main" p="lg" style={{ flex: 1, minWidth: 0 }}>
          <Outlet />
        </Box>
      </Box>
    </Box>
  );
}
