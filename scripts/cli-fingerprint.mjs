// The compiled CLI's cache key: a hash of the path, size and modification time of every file it
// is built from (src/ and this build's own scripts). Stat-only on purpose: bin/stagecraft runs
// this on every start, and a stat walk of src/ costs a few milliseconds where reading every file
// would cost several times that. An edit, a checkout or a pull changes an mtime and so the key.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT_FILES = ['scripts/build-cli.mjs', 'scripts/cli-fingerprint.mjs', 'package.json'];

/**
 * @param {string} root the project root
 * @returns {string} 16 hex digits naming dist/cli/<fingerprint>/
 */
export function cliFingerprint(root) {
  let text = '';
  const sources = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath ?? entry.path}/${entry.name}`)
    .sort();
  for (const file of [...SCRIPT_FILES.map((name) => join(root, name)), ...sources]) {
    const stats = statSync(file);
    text += `${file.slice(root.length)}\0${stats.size}\0${stats.mtimeMs}\n`;
  }
  return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x01000193);
}

// FNV-1a, 32 bits, as 8 hex digits; two seeds make the 64-bit key. A cache key, not a secret:
// node:crypto would cost more to load than the whole walk over src/.
function fnv1a(text, seed) {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}
