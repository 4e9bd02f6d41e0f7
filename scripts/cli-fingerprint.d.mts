/** See cli-fingerprint.mjs: the compiled CLI's cache key for the project at `root`. */
export function cliFingerprint(root: string): string;
