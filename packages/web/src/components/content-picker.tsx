import { useMemo, useState } from 'react';
import { ActionIcon, Badge, Box, Checkbox, Group, ScrollArea, Tabs, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Policy } from '@mamori/policy';
import { loc, useCatalog } from './catalog.js';

export interface ContentSelection {
  applications: string[];
  applicationFunctions: string[];
  applicationCategories: string[];
  urlCategories: string[];
  customCategories: string[];
}

export const emptySelection = (): ContentSelection => ({ applications: [], applicationFunctions: [], applicationCategories: [], urlCategories: [], customCategories: [] });

export function selectionSize(s: ContentSelection): number {
  return s.applications.length + s.applicationFunctions.length + s.applicationCategories.length + s.urlCategories.length + s.customCategories.length;
}

function toggle(list: string[], id: string, on: boolean): string[] {
  return on ? (list.includes(id) ? list : [...list, id]) : list.filter((x) => x !== id);
}

function Caret({ open, onClick, label }: { open: boolean; onClick: () => void; label: string }) {
  return (
    <ActionIcon variant="subtle" size="sm" onClick={onClick} aria-label={label} aria-expanded={open}>
      <svg width="12" height="12" viewBox="0 0 24 24" style={{ transform: open ? 'rotate(90deg)' : undefined, transition: 'transform 120ms' }}>
        <path d="M8 5l8 7-8 7" fill="none" stroke="currentColor" strokeWidth="2.5" />
      </svg>
    </ActionIcon>
  );
}

/**
 * コンテンツタイプ: application categories that open into their applications and each
 * application's functions; URL categories by risk group; the tenant's custom categories.
 */
export function ContentPicker({ value, onChange, policy, error }: { value: ContentSelection; onChange: (v: ContentSelection) => void; policy: Policy; error?: string | undefined }) {
  const { t } = useTranslation();
  const cat = useCatalog();
  const [search, setSearch] = useState('');
  const [openCats, setOpenCats] = useState<Set<string>>(new Set());
  const [openApps, setOpenApps] = useState<Set<string>>(new Set());
  const flip = (s: Set<string>, id: string, set: (v: Set<string>) => void) => {
    const n = new Set(s);
    if (n.has(id)) n.delete(id);
    else n.add(id);
    set(n);
  };
  const q = search.trim().toLowerCase();
  const apps = cat.data?.applications ?? [];
  const byCat = useMemo(() => {
    const m = new Map<string, typeof apps>();
    for (const a of apps) {
      const l = m.get(a.category) ?? [];
      l.push(a);
      m.set(a.category, l);
    }
    return m;
  }, [apps]);
  const matches = (n: { ja: string; en: string }, id: string) => q === '' || id.includes(q) || n.ja.toLowerCase().includes(q) || n.en.toLowerCase().includes(q);
  const urlGroups = cat.data?.urlGroups ?? [];
  const urlCats = cat.data?.urlCategories ?? [];

  return (
    <Box>
      <Group justify="space-between" mb={6}>
        <TextInput placeholder={t('content.searchPlaceholder')} value={search} onChange={(e) => setSearch(e.currentTarget.value)} size="xs" w={280} aria-label={t('common.search')} />
        <Badge variant="light" data-testid="content-count">{t('content.selectedCount', { count: selectionSize(value) })}</Badge>
      </Group>
      {error && <Text c="red" size="xs" mb={4} role="alert">{error}</Text>}
      {cat.isError && <Text c="red" size="sm">{t('content.catalogMissing')}</Text>}
      <Tabs defaultValue="apps" variant="outline">
        <Tabs.List>
          <Tabs.Tab value="apps">{t('content.applications')} ({apps.length})</Tabs.Tab>
          <Tabs.Tab value="url">{t('content.urlCategories')} ({urlCats.length})</Tabs.Tab>
          <Tabs.Tab value="custom">{t('content.customCategories')} ({policy.objects.customCategories.length})</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="apps">
          <ScrollArea h={300} type="auto" p={4} style={{ border: '1px solid var(--mantine-color-gray-3)', borderTop: 0 }}>
            {(cat.data?.applicationCategories ?? []).map((c) => {
              const list = (byCat.get(c.id) ?? []).filter((a) => matches(a.name, a.id) || a.functions.some((f) => matches(f.name, `${a.id}:${f.id}`)));
              if (q !== '' && list.length === 0 && !matches(c.name, c.id)) return null;
              const open = openCats.has(c.id) || (q !== '' && list.length > 0 && list.length < 40);
              const whole = value.applicationCategories.includes(c.id);
              return (
                <Box key={c.id}>
                  <Group gap={4} wrap="nowrap" py={2}>
                    <Caret open={open} onClick={() => flip(openCats, c.id, setOpenCats)} label={`${loc(c.name, c.id)} ${open ? t('content.collapse') : t('content.expand')}`} />
                    <Checkbox
                      label={`${loc(c.name, c.id)} (${(byCat.get(c.id) ?? []).length})`}
                      checked={whole}
                      onChange={(e) => onChange({ ...value, applicationCategories: toggle(value.applicationCategories, c.id, e.currentTarget.checked) })}
                      styles={{ label: { fontWeight: 600 } }}
                    />
                  </Group>
                  {open &&
                    list.map((a) => {
                      const aOpen = openApps.has(a.id);
                      return (
                        <Box key={a.id} pl={36}>
                          <Group gap={4} wrap="nowrap" py={1}>
                            {a.functions.length > 0 ? (
                              <Caret open={aOpen} onClick={() => flip(openApps, a.id, setOpenApps)} label={`${loc(a.name, a.id)} ${t('content.functions')}`} />
                            ) : (
                              <Box w={22} />
                            )}
                            <Checkbox
                              size="xs"
                              label={loc(a.name, a.id)}
                              checked={whole || value.applications.includes(a.id)}
                              disabled={whole}
                              onChange={(e) => onChange({ ...value, applications: toggle(value.applications, a.id, e.currentTarget.checked) })}
                            />
                          </Group>
                          {aOpen &&
                            a.functions.map((f) => {
                              const fid = `${a.id}:${f.id}`;
                              return (
                                <Box key={fid} pl={52} py={1}>
                                  <Checkbox
                                    size="xs"
                                    label={`${loc(f.name, f.id)}`}
                                    checked={whole || value.applications.includes(a.id) || value.applicationFunctions.includes(fid)}
                                    disabled={whole || value.applications.includes(a.id)}
                                    onChange={(e) => onChange({ ...value, applicationFunctions: toggle(value.applicationFunctions, fid, e.currentTarget.checked) })}
                                  />
                                </Box>
                              );
                            })}
                        </Box>
                      );
                    })}
                </Box>
              );
            })}
          </ScrollArea>
        </Tabs.Panel>
        <Tabs.Panel value="url">
          <ScrollArea h={300} type="auto" p={4} style={{ border: '1px solid var(--mantine-color-gray-3)', borderTop: 0 }}>
            {(urlGroups.length ? urlGroups : [{ id: '', name: { ja: t('content.urlCategories'), en: t('content.urlCategories') } }]).map((g) => {
              const list = urlCats.filter((c) => (g.id === '' || c.group === g.id) && matches(c.name, c.id));
              if (list.length === 0) return null;
              const open = openCats.has(`url:${g.id}`) || q !== '';
              const allOn = list.every((c) => value.urlCategories.includes(c.id));
              return (
                <Box key={g.id}>
                  <Group gap={4} wrap="nowrap" py={2}>
                    <Caret open={open} onClick={() => flip(openCats, `url:${g.id}`, setOpenCats)} label={`${loc(g.name, g.id)} ${open ? t('content.collapse') : t('content.expand')}`} />
                    <Checkbox
                      label={`${loc(g.name, g.id)} (${list.length})`}
                      checked={allOn}
                      indeterminate={!allOn && list.some((c) => value.urlCategories.includes(c.id))}
                      onChange={(e) => {
                        let v = value.urlCategories;
                        for (const c of list) v = toggle(v, c.id, e.currentTarget.checked);
                        onChange({ ...value, urlCategories: v });
                      }}
                      styles={{ label: { fontWeight: 600 } }}
                    />
                  </Group>
                  {open &&
                    list.map((c) => (
                      <Box key={c.id} pl={36} py={1}>
                        <Checkbox size="xs" label={loc(c.name, c.id)} checked={value.urlCategories.includes(c.id)} onChange={(e) => onChange({ ...value, urlCategories: toggle(value.urlCategories, c.id, e.currentTarget.checked) })} />
                      </Box>
                    ))}
                </Box>
              );
            })}
          </ScrollArea>
        </Tabs.Panel>
        <Tabs.Panel value="custom">
          <Box p="sm" style={{ border: '1px solid var(--mantine-color-gray-3)', borderTop: 0 }}>
            {policy.objects.customCategories.length === 0 && <Text size="sm" c="dimmed">{t('common.noData')}</Text>}
            {policy.objects.customCategories.map((c) => (
              <Checkbox key={c.id} my={4} label={c.name} checked={value.customCategories.includes(c.id)} onChange={(e) => onChange({ ...value, customCategories: toggle(value.customCategories, c.id, e.currentTarget.checked) })} />
            ))}
          </Box>
        </Tabs.Panel>
      </Tabs>
    </Box>
  );
}
