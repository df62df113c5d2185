/**
 * The pure part of ACL replication (Consul's diffACLType and its batching): what a secondary must
 * delete and upsert to match the primary, and the batches those changes are applied in.
 */

/** What the diff needs of an entry: its ID, its primary index, and whether a local copy matches it. */
export interface DiffKind<T> {
  id(x: T): string;
  modifyIndex(x: T): number;
  same(local: T, remote: T): boolean;
}

export interface AclDiff<T> {
  /** IDs held here that the primary no longer has. */
  deletes: string[];
  /** The primary's entries that are missing here or changed since `lastRemoteIndex`. */
  upserts: T[];
}

const byId =
  <T>(kind: DiffKind<T>) =>
  (a: T, b: T) => {
    const x = kind.id(a);
    const y = kind.id(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };

/**
 * Walks both lists sorted by ID. An entry in both is upserted only when the primary changed it
 * after `lastRemoteIndex` and the local copy differs; entries without an ID are skipped.
 */
export function diffAcl<T>(local: readonly T[], remote: readonly T[], lastRemoteIndex: number, kind: DiffKind<T>): AclDiff<T> {
  const l = local.filter((x) => kind.id(x) !== '').sort(byId(kind));
  const r = remote.filter((x) => kind.id(x) !== '').sort(byId(kind));
  const out: AclDiff<T> = { deletes: [], upserts: [] };
  let i = 0;
  let j = 0;
  while (i < l.length && j < r.length) {
    const a = l[i] as T;
    const b = r[j] as T;
    const ia = kind.id(a);
    const ib = kind.id(b);
    if (ia === ib) {
      if (kind.modifyIndex(b) > lastRemoteIndex && !kind.same(a, b)) out.upserts.push(b);
      i++;
      j++;
    } else if (ia < ib) {
      out.deletes.push(ia);
      i++;
    } else {
      out.upserts.push(b);
      j++;
    }
  }
  for (; i < l.length; i++) out.deletes.push(kind.id(l[i] as T));
  for (; j < r.length; j++) out.upserts.push(r[j] as T);
  return out;
}

/** Consul's aclBatchDeleteSize. */
export const DELETE_BATCH = 4096;
/** Consul's aclBatchUpsertSize: a batch is closed once its entries reach this many bytes. */
export const UPSERT_BATCH_BYTES = 256 * 1024;
/** And at most this many entries, whatever their size. */
export const UPSERT_BATCH_ENTRIES = 1024;

export function deleteBatches(ids: readonly string[], size = DELETE_BATCH): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < ids.length; i += size) out.push(ids.slice(i, i + size));
  return out;
}

/** Batches of at most `maxBytes` (estimated as JSON) or `maxEntries`; an entry larger than `maxBytes` travels alone. */
export function upsertBatches<T>(items: readonly T[], maxBytes = UPSERT_BATCH_BYTES, maxEntries = UPSERT_BATCH_ENTRIES): T[][] {
  const out: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (batch.length > 0 && (bytes >= maxBytes || batch.length >= maxEntries)) {
      out.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += JSON.stringify(item).length;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
