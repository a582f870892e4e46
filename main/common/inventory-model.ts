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
  readonly degradedBy: readonly ('speed' | 'width')[];
};

export type GpuLink = {
  readonly current: LinkState | null;
  readonly max: LinkState | null;
  readonly port: {
    readonly bdf: string;
    readonly current: LinkState | null;
    readonly max: LinkState | null;
  } | null;
  /** True when some link between the GPU and its root port runs below what both its ends support. */
  readonly degraded: boolean;
  /** Every link from the GPU up to the root port (a Navi card's internal switch included). */
  readonly hops: readonly LinkHop[];
  /** Why link attributes were not read (a suspended device must not be woken). */
  readonly skipped?: string;
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
