// Server state, through TanStack Query.
import { useQuery } from '@tanstack/react-query';
import { api, setCsrfToken, type Me, type Organization, type Page } from './client';

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
