// What `egpu clients` reports: processes that hold a GPU, shared with the UI and the planner.

export const CLIENT_ROLES = [
  'compositor',
  'x-server',
  'xwayland',
  'display-manager',
  'compute',
  'browser',
  'other',
] as const;

export type ClientRole = (typeof CLIENT_ROLES)[number];

/** How a process holds a node: an open file descriptor, or a memory mapping left after close. */
export type HoldVia = 'fd' | 'mmap';

export type ClientInfo = {
  readonly pid: number;
  readonly comm: string;
  readonly cmdline: string;
  readonly uid: number | null;
  readonly user: string | null;
  /** The GPU this entry is about; null when the node belongs to no GPU present now. */
  readonly gpu: string | null;
  /** Device paths on the target system (/dev/dri/renderD129, /dev/nvidiactl, /dmabuf: …). */
  readonly nodes: readonly string[];
  readonly via: readonly HoldVia[];
  readonly role: ClientRole;
};

export type ClientsReport = {
  readonly clients: readonly ClientInfo[];
  /** Processes whose fds could not be read (another user's, without root). */
  readonly uninspectable: number;
  /** Processes that exited while being scanned. */
  readonly vanished: number;
  readonly scanned: number;
};

/**
 * Another user's process, as seen by a core running as `uid`: only that user or root can signal
 * it, so nothing offers to close it (kill(2): EPERM). Root's core can close any; an unknown uid on
 * either side is not taken for someone else's.
 */
export const ownedByAnotherUser = (client: ClientInfo, uid: number | null | undefined): boolean =>
  uid !== null && uid !== undefined && uid !== 0 && client.uid !== null && client.uid !== uid;
