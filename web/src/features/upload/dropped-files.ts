// Files from a drop or a file input, with the path inside any dropped folder kept as the
// name (the server stores `guides/setup.md` as such). Browsers expose dropped folders through
// the (non-standard but universal) entry API; where it is missing, plain files still come.

export interface PickedFile {
  file: File;
  /** Relative path for files from a folder, else the file's name. */
  name: string;
}

/** Files of an <input type=file>, using webkitRelativePath when a folder was picked. */
export function filesFromInput(list: FileList | null): PickedFile[] {
  return Array.from(list ?? [], (file) => ({ file, name: file.webkitRelativePath || file.name }));
}

interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  fullPath: string;
}
interface FileEntry extends Entry {
  file(success: (file: File) => void, failure: (error: unknown) => void): void;
}
interface DirectoryEntry extends Entry {
  createReader(): { readEntries(success: (entries: Entry[]) => void, failure: (error: unknown) => void): void };
}

async function readDirectory(directory: DirectoryEntry): Promise<Entry[]> {
  const reader = directory.createReader();
  const all: Entry[] = [];
  // readEntries hands out a directory in batches (100 in Chromium) until an empty one.
  for (;;) {
    const batch = await new Promise<Entry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

async function walk(entry: Entry, into: PickedFile[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileEntry).file(resolve, reject));
    into.push({ file, name: entry.fullPath.replace(/^\//, '') || file.name });
  } else if (entry.isDirectory) {
    for (const child of await readDirectory(entry as DirectoryEntry)) await walk(child, into);
  }
}

/** Every file of a drop, folders walked recursively. */
export async function filesFromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const entries = Array.from(data.items)
    .filter((item) => item.kind === 'file')
    .map((item) => (item as DataTransferItem & { webkitGetAsEntry?: () => Entry | null }).webkitGetAsEntry?.() ?? null);
  if (entries.length === 0 || entries.some((entry) => entry === null)) return filesFromInput(data.files);
  const picked: PickedFile[] = [];
  for (const entry of entries) await walk(entry!, picked);
  return picked;
}

/** Adds files to a selection; a later file of the same name replaces the earlier one. */
export function mergePicked(current: PickedFile[], added: PickedFile[]): PickedFile[] {
  const byName = new Map(current.map((picked) => [picked.name, picked]));
  for (const picked of added) byName.set(picked.name, picked);
  return [...byName.values()];
}
