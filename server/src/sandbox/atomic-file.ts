/**
 * Crash- and race-safe file writes for the sandbox key directory, which two processes (the server and a standalone
 * emulator, or two test workers) may initialise at the same moment.
 */
import { randomBytes } from 'node:crypto';
import { link, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

function tmpNameFor(file: string): string {
  // Same directory as the target: rename(2) and link(2) are only atomic within one filesystem.
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`,
  );
}

async function removeQuietly(file: string): Promise<void> {
  await unlink(file).catch(() => undefined);
}

/**
 * Replaces `file` atomically: readers see the old content or the new one, never a torn write.
 *
 * @param mode permission bits of the new file (e.g. `0o600` for private keys); applied at creation, so the
 *   content is never readable with looser permissions, not even briefly.
 */
export async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const tmp = tmpNameFor(file);
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await rename(tmp, file);
  } catch (err) {
    await removeQuietly(tmp);
    throw err;
  }
}

/**
 * Creates `file` with `data` only if it does not exist yet, atomically: of several concurrent callers exactly one
 * wins, and nobody ever sees a partial file.
 *
 * Written to a temporary name then hard-linked into place: link(2) fails with EEXIST when the target exists,
 * which rename(2) would silently overwrite.
 *
 * @returns true when this call created the file, false when it already existed.
 */
export async function createFileExclusive(file: string, data: string, mode: number): Promise<boolean> {
  const tmp = tmpNameFor(file);
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    try {
      await link(tmp, file);
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // Filesystems without hard links (some network or FUSE mounts): fall back to O_EXCL creation, which still
      // elects one winner; a concurrent reader may then see a partial file, so readers retry on parse errors.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
        try {
          await writeFile(file, data, { mode, flag: 'wx' });
          return true;
        } catch (fallbackErr) {
          if ((fallbackErr as NodeJS.ErrnoException).code === 'EEXIST') return false;
          throw fallbackErr;
        }
      }
      throw err;
    }
  } finally {
    await removeQuietly(tmp);
  }
}
