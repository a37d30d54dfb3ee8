import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Policy } from '@mamori/policy';
import { policy as policyApi } from '../api/endpoints.js';

export const draftKey = (tenantId: string) => ['draft', tenantId] as const;

/** The tenant's draft policy; edits replace the draft as a whole and the server validates it. */
export function usePolicyDraft(tenantId: string) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: draftKey(tenantId), queryFn: () => policyApi.draft(tenantId) });
  const m = useMutation({
    mutationFn: (next: Policy) => policyApi.saveDraft(tenantId, next),
    onSuccess: (data) => qc.setQueryData(draftKey(tenantId), data),
  });
  /** Apply a change to a copy of the current draft and save it. */
  const save = async (change: (p: Policy) => void): Promise<Policy> => {
    const current = q.data?.policy;
    if (!current) throw new Error('draft not loaded');
    const next = structuredClone(current);
    change(next);
    const r = await m.mutateAsync(next);
    return r.policy;
  };
  return { query: q, policy: q.data?.policy, changed: q.data?.differs ?? false, save, saving: m.isPending };
}

/** Replaces the item with the same id in a draft list, or appends it: how every editor saves. */
export function upsertById<T extends { id: string }>(list: T[], item: T): void {
  const i = list.findIndex((x) => x.id === item.id);
  if (i >= 0) list[i] = item;
  else list.push(item);
}
