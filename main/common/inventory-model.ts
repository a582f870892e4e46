// What `egpu status` reports: the GPU inventory as plain JSON-safe data, shared with the UI.

export type HealthState = 'ok' | 'unreachable' | 'unknown';

export type ExternalEvidence = {
  readonly kind:
    'removable' | 'admin-listed' | 'thunderbolt-bridge' | 'thunderbolt-domain' | 'hotplug-slot';
  /** The PCI device the evidence was found on. */
  readonly device: string;
  readonly detail: string;
  /** For hotplug-slot evidence: the slot name (/sys/bus/pci/slots/<slot>, pciehp presence). */
  readonly slot?: string;
};

export type LinkState = {
  /** GT/s; null when unknown ('Unknown' or unreadable). */
  readonly speed: number | null;
  readonly width: number | null;
};

export type LinkHop = {
  /** Downstream end of the link. */
  readonly device: string;
  /** Upstream port. */
  readonly port: string;
  readonly current: LinkState;
  /** The best both ends support: min of the two max values. */
  readonly capable: LinkState;
  /**
   * What runs below what both ends support, as a fault. Only 'width' is reported: a lower speed is
   * how GPUs save power when idle (see GpuLink.slowNow), and a tunnelled link's figures are
   * nominal. (Before, a lower speed was listed here too.)
   */
  readonly degradedBy: readonly ('speed' | 'width')[];
  /**
   * Carried in a Thunderbolt/USB4 tunnel: its speed and width are nominal (the host end may read
   * 2.5 GT/s x1); the Thunderbolt link sets the real bandwidth. Absent in older data.
   */
  readonly tunnel?: boolean;
};

/** The narrowest link between the root port and the GPU: the most the path can carry. */
export type LinkBottleneck = {
  /** Downstream end of that link. */
  readonly device: string;
  /** Upstream end. */
  readonly port: string;
  /** What it can do: both ends' max (for a tunnel: the device router's adapter max). */
  readonly max: LinkState;
  readonly tunnel: boolean;
};

/** Why a link counts as degraded (a fault to fix, not a design limit or power saving). */
export type LinkDegradation =
  | {
      /** A link trained narrower than both of its ends support (a cable or seating fault). */
      readonly kind: 'width';
      readonly device: string;
      readonly port: string;
      readonly current: LinkState;
      readonly capable: LinkState;
    }
  | {
      /** A part in the middle of the path can do less than both the GPU and the root port. */
      readonly kind: 'path';
      readonly device: string;
      readonly port: string;
      readonly max: LinkState;
      /** What the GPU and the root port both do. */
      readonly ends: LinkState;
      readonly rootPort: string;
    };

export type GpuLink = {
  readonly current: LinkState | null;
  readonly max: LinkState | null;
  readonly port: {
    readonly bdf: string;
    readonly current: LinkState | null;
    readonly max: LinkState | null;
  } | null;
  /**
   * True when the path has a real fault: a link narrower than both its ends support, or a part
   * whose maximum is below both the GPU's and the root port's (see `degradation`). A speed lowered
   * while idle is not one. (Before, any link below its ends' speed counted.)
   */
  readonly degraded: boolean;
  /** Every link from the GPU up to the root port (a Navi card's internal switch included). */
  readonly hops: readonly LinkHop[];
  /** Why link attributes were not read (a suspended device must not be woken). */
  readonly skipped?: string;
  /** The narrowest link of the path; null when no link was read. Absent in older data. */
  readonly bottleneck?: LinkBottleneck | null;
  /**
   * The slowest link of the path as it runs now (tunnelled links left out: their figures are
   * nominal); null when none was read. Absent in older data.
   */
  readonly now?: LinkState | null;
  /**
   * Set when the path runs below its bottleneck's speed now — GPUs lower their link speed when
   * idle: information, not a fault. `byGpu`: the slowed link is the GPU's own or its card's.
   */
  readonly slowNow?: {
    readonly device: string;
    readonly port: string;
    readonly current: LinkState;
    readonly byGpu: boolean;
  } | null;
  /** The fault behind `degraded`; null when there is none. Absent in older data. */
  readonly degradation?: LinkDegradation | null;
  /**
   * Set when the GPU's own link attributes read as no link: 'Unknown' speed, width 63 (config reads
   * of a powered-down device return all ones) or 0 (link down). Absent when they read fine.
   */
  readonly noLink?: string;
};

export type GpuFunction = {
  readonly bdf: string;
  readonly classCode: string;
  readonly kind: string;
  readonly name: string;
  readonly driver: string | null;
};

export type Enclosure = {
  readonly name: string;
  readonly router: string;
  readonly uniqueId: string;
  readonly domain: string;
  readonly authorized: number;
  /**
   * Upstream port of the router's PCIe switch on the GPU's path: everything below it rides the
   * router's tunnel. Absent in data from before it was recorded.
   */
  readonly pciTop?: string | null;
};

export type GpuInfo = {
  readonly bdf: string;
  readonly vendorId: string;
  readonly deviceId: string;
  readonly subsystemId: string | null;
  readonly classCode: string;
  readonly name: string;
  readonly driver: string | null;
  readonly external: boolean;
  readonly externalEvidence: readonly ExternalEvidence[];
  /** The topmost removable PCI device above (or at) the GPU: what a whole-enclosure remove takes out. */
  readonly enclosureTop: string | null;
  readonly enclosure: Enclosure | null;
  readonly thunderboltDomain: string | null;
  readonly bootVga: boolean;
  readonly drm: { readonly card: string | null; readonly render: string | null };
  readonly nvidia: { readonly minor: number; readonly node: string } | null;
  readonly functions: readonly GpuFunction[];
  readonly link: GpuLink;
  readonly runtimeStatus: string | null;
  readonly powerState: string | null;
  readonly health: HealthState;
  readonly healthReason: string;
  /**
   * Why the GPU looks stuck in a power transition (power/runtime_status `error`, or runtime PM
   * says active while the PCI power state is D3cold); null when it does not. Absent in older data.
   */
  readonly stuck?: string | null;
  readonly sysfsPath: string;
};

export type ThunderboltRouter = {
  readonly router: string;
  readonly host: boolean;
  readonly vendorId: string | null;
  readonly vendorName: string | null;
  readonly deviceId: string | null;
  readonly deviceName: string | null;
  /** 0 not authorized, 1 authorized, 2 authorized with key (secure). null when unreadable. */
  readonly authorized: number | null;
  readonly uniqueId: string | null;
  readonly generation: number | null;
};

export type ThunderboltDomain = {
  readonly domain: string;
  readonly security: string | null;
  readonly deauthorization: boolean;
  readonly iommuDmaProtection: boolean | null;
  /** BDF of the host interface (NHI) the domain belongs to. */
  readonly hostInterface: string | null;
  readonly routers: readonly ThunderboltRouter[];
};

export type KernelModule = {
  readonly name: string;
  readonly loaded: boolean;
  readonly builtin: boolean;
  readonly refcount: number | null;
  readonly holders: readonly string[];
};

/** Something that could not be read; reported, never fatal. */
export type ReadProblem = { readonly path: string; readonly error: string };

export type Inventory = {
  readonly gpus: readonly GpuInfo[];
  readonly thunderbolt: readonly ThunderboltDomain[];
  readonly modules: readonly KernelModule[];
  readonly problems: readonly ReadProblem[];
};
