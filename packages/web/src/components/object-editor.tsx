import type { ReactNode } from 'react';
import { Button, Group, Modal, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Policy } from '@mamori/policy';
import { ErrorAlert } from './common.js';
import { newId } from './ids.js';
import { usePolicyDraft, upsertById } from './policy-draft.js';
import { useProblems } from './problems.js';

type Objects = Policy['objects'];
export type ObjectKind = keyof Objects;
type ItemOf<K extends ObjectKind> = Objects[K][number];

/**
 * The editing state every policy-object dialog shares: the draft, the problems of the object's
 * own path (objects.<kind>.<index>, so that the console's errors land on its fields) and a save
 * that checks locally first, then replaces or appends the object in the draft.
 */
export function useObjectEditor<K extends ObjectKind>(tenantId: string, kind: K, initial: { id: string } | null, idPrefix: string) {
  const draft = usePolicyDraft(tenantId);
  const list = (draft.policy?.objects[kind] ?? []) as Array<{ id: string }>;
  const index = initial ? list.findIndex((x) => x.id === initial.id) : list.length;
  const pr = useProblems(`objects.${kind}.${index}`);
  const id = initial?.id ?? null;
  /**
   * `local` returns field errors (by field path) found before asking the console; `build` makes
   * the object with its id. Resolves true when it was saved.
   */
  const save = async (build: (id: string) => ItemOf<K>, local?: () => Record<string, string>): Promise<boolean> => {
    pr.clear();
    const problems = local?.() ?? {};
    if (Object.keys(problems).length) {
      pr.setFields(problems);
      return false;
    }
    const obj = build(id ?? newId(idPrefix));
    try {
      await draft.save((p) => upsertById(p.objects[kind] as Array<{ id: string }>, obj as { id: string }));
      return true;
    } catch (e) {
      pr.take(e);
      return false;
    }
  };
  return { draft, pr, save, saving: draft.saving };
}

/** The frame of an object dialog: title, the general error, the fields, キャンセル / 保存. */
export function ObjectDialog({ title, general, saving, onSave, onClose, size, children }: {
  title: string;
  general: string | null;
  saving: boolean;
  onSave: () => void;
  onClose: () => void;
  size?: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  return (
    <Modal opened onClose={onClose} title={title} centered size={size ?? 'md'}>
      <Stack>
        <ErrorAlert message={general} />
        {children}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>{t('common.cancel')}</Button>
          <Button onClick={onSave} loading={saving}>{t('common.save')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}
