// The compiled CLI's cache key: a hash of the path, size and modification time of every file it
// is built from (src/ and this build's own scripts). Stat-only on purpose: bin/stagecraft runs
// this on every start, and a stat walk of src/ costs a few milliseconds where reading every file
// would cost several times that. An edit, a checkout or a pull changes an mtime and so the key.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT_FILES = ['scripts/build-cli.mjs', 'scripts/cli-fingerprint.mjs', 'package.json'];

/**
 * @param {string} root the project root
 * @returns {string} 16 hex digits naming dist/cli/<fingerprint>/
 */
export function cliFingerprint(root) {
  const hash = createHash('sha1');
  const sources = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
  for (const file of [...SCRIPT_FILES.map((name) => join(root, name)), ...sources]) {
    const stats = statSync(file);
    hash.update(`${file.slice(root.length)}\0${stats.size}\0${stats.mtimeMs}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}
