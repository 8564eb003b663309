// One collection's built lexical index on disk, so a restart reads arrays back instead of
// re-analysing every chunk's text. The file says which collection and which revision of it
// (the counter every write to the collection bumps in SQLite) it holds; the cache uses it
// only when that revision is still SQLite's. A checksum over the body catches a torn or
// damaged file, which is then rebuilt like a stale one.
//
// Layout: "SIFTLEX1", a little-endian u32 header length, the header (JSON), then the arrays,
// each starting on an 8-byte boundary so they can be read in place.
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { LexicalIndex, type LexicalIndexState } from './lexical-index.js';

const MAGIC = 'SIFTLEX1';
/** Bumped whenever the arrays or the analyzer change meaning: an older file is rebuilt, never misread. */
export const LEXICAL_INDEX_FORMAT = 2;

type ArrayName = 'ids' | 'lengths' | 'dead' | 'starts' | 'positions' | 'tfs' | 'deltaTerms' | 'deltaStarts' | 'deltaPositions' | 'deltaTfs';
const ARRAY_TYPES = {
  ids: Float64Array,
  lengths: Uint32Array,
  dead: Uint8Array,
  starts: Uint32Array,
  positions: Int32Array,
  tfs: Uint16Array,
  deltaTerms: Int32Array,
  deltaStarts: Uint32Array,
  deltaPositions: Int32Array,
  deltaTfs: Uint16Array,
} as const;
const ARRAY_NAMES = Object.keys(ARRAY_TYPES) as ArrayName[];

interface FileHeader {
  format: number;
  collection: string;
  revision: number;
  mainSize: number;
  termBytes: number;
  /** Byte length of each array, in ARRAY_NAMES order. */
  arrayBytes: number[];
  crc: number;
}

export interface StoredLexicalIndex {
  revision: number;
  index: LexicalIndex;
}

function padTo8(length: number): number {
  return (8 - (length % 8)) % 8;
}

function arraysOf(state: LexicalIndexState): Record<ArrayName, ArrayBufferView> {
  const { ids, lengths, dead, main, deltaTerms, deltaStarts, deltaPositions, deltaTfs } = state;
  return { ids, lengths, dead, starts: main.starts, positions: main.positions, tfs: main.tfs, deltaTerms, deltaStarts, deltaPositions, deltaTfs };
}

/** Writes the index beside the final path and renames it over, so a reader never sees half a file. */
export async function writeLexicalIndexFile(path: string, collection: string, revision: number, index: LexicalIndex): Promise<void> {
  const exported = index.exportState();
  // Copies of what writes change in place (tombstones, appended positions); the segments'
  // posting arrays are replaced, never changed, so the write can take its time.
  const state = { ...exported, ids: exported.ids.slice(), lengths: exported.lengths.slice(), dead: exported.dead.slice() };
  const arrays = arraysOf(state);
  const terms = Buffer.from(state.terms.join('\n'), 'utf8');
  const parts: Uint8Array[] = [terms, new Uint8Array(padTo8(terms.length))];
  for (const name of ARRAY_NAMES) {
    const array = arrays[name];
    parts.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), new Uint8Array(padTo8(array.byteLength)));
  }
  let crc = 0;
  // Empty parts are skipped: zlib.crc32 of a view on an empty typed array's buffer (no backing
  // store, a null pointer to zlib) returns 0, not the running value, which made every file whose
  // delta segment was empty fail its check and be rebuilt from text at each start.
  for (const part of parts) if (part.byteLength > 0) crc = crc32(part, crc);
  const header: FileHeader = {
    format: LEXICAL_INDEX_FORMAT,
    collection,
    revision,
    mainSize: state.mainSize,
    termBytes: terms.length,
    arrayBytes: ARRAY_NAMES.map((name) => arrays[name].byteLength),
    crc,
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(12 + headerBytes.length + padTo8(12 + headerBytes.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(headerBytes.length, 8);
  headerBytes.copy(prefix, 12);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const file = await open(temporary, 'w');
  try {
    await file.writev([prefix, ...parts]);
  } finally {
    await file.close();
  }
  await rename(temporary, path);
}

/**
 * The stored index, or null when there is none or it cannot be trusted (another format, a
 * bad checksum, arrays that do not fit together): the caller rebuilds and overwrites it.
 */
export async function readLexicalIndexFile(path: string, collection: string): Promise<StoredLexicalIndex | null> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch {
    return null;
  }
  try {
    if (bytes.toString('latin1', 0, 8) !== MAGIC) return null;
    const headerLength = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString('utf8', 12, 12 + headerLength)) as FileHeader;
    if (header.format !== LEXICAL_INDEX_FORMAT || header.collection !== collection || header.arrayBytes.length !== ARRAY_NAMES.length) return null;
    let offset = 12 + headerLength + padTo8(12 + headerLength);
    const body = bytes.subarray(offset);
    if (crc32(body) !== header.crc) return null;
    // Typed arrays need aligned offsets; a Buffer from readFile normally starts at 0, copy if not.
    const aligned = bytes.byteOffset % 8 === 0 ? bytes : Buffer.from(bytes);
    const terms = header.termBytes === 0 ? [] : aligned.toString('utf8', offset, offset + header.termBytes).split('\n');
    offset += header.termBytes + padTo8(header.termBytes);
    const arrays = {} as Record<ArrayName, ArrayBufferView>;
    ARRAY_NAMES.forEach((name, i) => {
      const Type = ARRAY_TYPES[name];
      const byteLength = header.arrayBytes[i]!;
      if (byteLength % Type.BYTES_PER_ELEMENT !== 0 || offset + byteLength > aligned.length) throw new Error(`array ${name} does not fit the file`);
      arrays[name] = new Type(aligned.buffer as ArrayBuffer, aligned.byteOffset + offset, byteLength / Type.BYTES_PER_ELEMENT);
      offset += byteLength + padTo8(byteLength);
    });
    const state: LexicalIndexState = {
      terms,
      ids: arrays.ids as Float64Array,
      lengths: arrays.lengths as Uint32Array,
      dead: arrays.dead as Uint8Array,
      mainSize: header.mainSize,
      main: { starts: arrays.starts as Uint32Array, positions: arrays.positions as Int32Array, tfs: arrays.tfs as Uint16Array },
      deltaTerms: arrays.deltaTerms as Int32Array,
      deltaStarts: arrays.deltaStarts as Uint32Array,
      deltaPositions: arrays.deltaPositions as Int32Array,
      deltaTfs: arrays.deltaTfs as Uint16Array,
    };
    return { revision: header.revision, index: LexicalIndex.fromState(state) };
  } catch {
    return null;
  }
}

export async function removeLexicalIndexFile(path: string): Promise<void> {
  await rm(path, { force: true });
}
