// The documents table's sort state: clicking a column sorts by it, clicking it again flips the
// direction. New columns start with the order people expect (newest or largest first).
import type { DocumentSortKey, SortOrder } from '../../api/types.ts';

export interface SortState {
  sort: DocumentSortKey;
  order: SortOrder;
}

const FIRST_ORDER: Record<DocumentSortKey, SortOrder> = { source: 'asc', updatedAt: 'desc', createdAt: 'desc', chunkCount: 'desc', sizeBytes: 'desc' };

export function nextSort(current: SortState, clicked: DocumentSortKey): SortState {
  if (current.sort === clicked) return { sort: clicked, order: current.order === 'asc' ? 'desc' : 'asc' };
  return { sort: clicked, order: FIRST_ORDER[clicked] };
}

export function ariaSort(current: SortState, column: DocumentSortKey): 'ascending' | 'descending' | 'none' {
  if (current.sort !== column) return 'none';
  return current.order === 'asc' ? 'ascending' : 'descending';
}

/** "51–100 of 10,000" style page bounds. */
export function pageBounds(offset: number, shown: number, total: number): { first: number; last: number; hasPrevious: boolean; hasNext: boolean } {
  return { first: shown === 0 ? 0 : offset + 1, last: offset + shown, hasPrevious: offset > 0, hasNext: offset + shown < total };
}
