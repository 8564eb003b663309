// What a key may do. Roles are ordered: each one includes everything below it, so a route
// declares the least role it needs and the check is one comparison.
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { read: 0, write: 1, admin: 2 };

/** Whether a key of role `held` may use a route that needs `needed`. */
export function roleAllows(held: Role, needed: Role): boolean {
  return RANK[held] >= RANK[needed];
}

export const ROLE_MEANINGS: Record<Role, string> = {
  read: 'query and list',
  write: 'upload and delete documents, and query',
  admin: 'everything, including keys',
};
