// Host names as ssh reads them. In ssh_config, `Host` takes a whitespace- or comma-separated list
// of patterns where `*` and `?` are wildcards, `!` negates, `#` starts a comment and `"`/`\`
// quote; a Name tag like "web #2, old" would silently become three patterns and a comment.

// Removed outright: the pattern/quoting characters above, and control characters except the
// whitespace ones (tab, newlines), which count as whitespace below.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const FORBIDDEN = /[*?!#"\\,\u0000-\u0008\u000e-\u001f\u007f-\u009f]/g;
const WHITESPACE_RUN = /\s+/g;

/**
 * Makes a Name tag safe to use as an ssh `Host` name: forbidden characters (`* ? ! # " \ ,` and
 * control characters) are removed, surrounding whitespace is trimmed and each inner run of
 * whitespace becomes one `-`. May return `''`; such a name is not usable.
 *
 * @param raw the tag value
 * @example sanitizeHostName('  web  server #2 ') // 'web-server-2'
 */
export function sanitizeHostName(raw: string): string {
  return raw.replace(FORBIDDEN, '').trim().replace(WHITESPACE_RUN, '-');
}

/**
 * The key under which ssh considers two names the same: OpenSSH lower-cases the host name before
 * matching `Host` patterns (ASCII only), so `Web` and `web` would shadow each other.
 *
 * @param name a sanitised host name
 */
export function hostNameKey(name: string): string {
  return name.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`);

/**
 * Whether a string is a dotted-quad IPv4 address (no leading zeros, each part 0–255).
 *
 * @param address the candidate
 */
export function isIPv4(address: string): boolean {
  return IPV4.test(address);
}
