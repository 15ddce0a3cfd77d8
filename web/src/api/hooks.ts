// Server state, through TanStack Query.
import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken, type InfoSystem, type Me, type Organization, type Page, type Taxonomy } from './client';
import i18n from '../i18n';

export function useMe() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      const me = await api<Me>('GET', '/api/v1/me');
      setCsrfToken(me.csrf_token);
      return me;
    },
    retry: false,
  });
}

// Every organisation the user may see (the tree is small: one page of up to 1000).
export function useOrganizations() {
  return useQuery({
    queryKey: ['organizations'],
    queryFn: () => api<Page<Organization>>('GET', '/api/v1/organizations?limit=1000'),
  });
}

export function can(me: Me | undefined, permission: string) {
  return !!me && me.permissions.includes(permission);
}

// The taxonomy in the current language (names come from the server's catalogue).
export function useTaxonomy() {
  return useQuery({
    queryKey: ['taxonomy', i18n.language],
    queryFn: () => api<Taxonomy>('GET', '/api/v1/taxonomy'),
    staleTime: 3600_000,
  });
}

export function useSystems() {
  return useQuery({ queryKey: ['systems'], queryFn: () => api<{ items: InfoSystem[] }>('GET', '/api/v1/systems') });
}

// The name of a taxonomy entry, or its id while the taxonomy loads.
export function nameOf(list: { id: string; name: string }[] | undefined, id: string | null | undefined) {
  if (!id) return '—';
  return list?.find((e) => e.id === id)?.name ?? id;
}
