// dynalite ships no types; this declares the part of its API stagecraft uses.
declare module 'dynalite' {
  import type { Server } from 'node:http';

  /** Options for {@link dynalite}. */
  interface DynaliteOptions {
    /** LevelDB directory; in memory when absent. */
    path?: string;
    /** How long new tables stay CREATING (ms). */
    createTableMs?: number;
    /** How long deleted tables stay DELETING (ms). */
    deleteTableMs?: number;
    /** How long updated tables stay UPDATING (ms). */
    updateTableMs?: number;
    /** Max item size in KB. */
    maxItemSizeKb?: number;
  }

  /** Creates (but does not start) a DynamoDB-compatible HTTP server. */
  function dynalite(options?: DynaliteOptions): Server;
  export default dynalite;
}
