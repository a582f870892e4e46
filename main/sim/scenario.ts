// A machine described as data: PCI functions, Thunderbolt domains and routers, kernel modules and
// users. The sysroot writer turns it into a real sysfs-shaped folder; the simulated kernel (tests,
// demo) keeps it as the "hardware" that a rescan re-discovers after a remove.

export type RuntimeStatus =
  'active' | 'suspended' | 'suspending' | 'resuming' | 'error' | 'unsupported';

export type PciLinkSpec = {
  /** As sysfs prints it: '8.0 GT/s PCIe', '2.5 GT/s PCIe', 'Unknown'. */
  readonly speed: string;
  readonly width: number;
  readonly maxSpeed: string;
  readonly maxWidth: number;
};

export type PciFunctionSpec = {
  readonly bdf: string;
  /** Parent bridge BDF; null for a device on the root bus. */
  readonly parent: string | null;
  readonly classCode: number;
  readonly vendor: number;
  readonly device: number;
  readonly subsystemVendor?: number;
  readonly subsystemDevice?: number;
  readonly revision?: number;
  readonly driver?: string;
  /** Writes the `removable` attribute (the kernel creates it only for removable devices). */
  readonly removable?: boolean;
  readonly bootVga?: boolean;
  readonly drm?: {
    readonly card: number;
    readonly render?: number;
    readonly connectors?: readonly string[];
  };
  readonly link?: PciLinkSpec;
  readonly runtimeStatus?: RuntimeStatus;
  readonly powerState?: string;
  /** 'dead': config space reads all ones, as after the device fell off the bus. */
  readonly config?: 'ok' | 'dead';
  /** pciehp slot name for a hot-plug port. */
  readonly slot?: string;
  /** NVIDIA device minor (/dev/nvidiaN, /proc/driver/nvidia/gpus/<bdf>/information). */
  readonly nvidiaMinor?: number;
  /** Part of the external enclosure: disappears when the simulated cable is pulled. */
  readonly enclosure?: boolean;
  /**
   * On an enclosure's top function: the Thunderbolt router whose PCIe tunnel carries it, or null
   * for plain PCIe (OCuLink). Absent: paired by PCI topology (findEnclosures).
   */
  readonly router?: string | null;
  /** An NVMe controller's namespace as the block layer shows it (nvme driver bound). */
  readonly storage?: StorageSpec;
};

export type StorageSpec = {
  /** Controller name, 'nvme0': /sys/class/nvme/nvme0. */
  readonly controller: string;
  /** The namespace's block device, 'nvme0n1'. */
  readonly disk: string;
  /** The controller's `model` attribute. */
  readonly model: string;
  /** Block major:minor of the disk; partitions take the next minors. */
  readonly major: number;
  readonly minor: number;
  /** Partitions with where they are mounted (null: not mounted). */
  readonly partitions: readonly { readonly mount: string | null; readonly fstype?: string }[];
};

export type TbDomainSpec = {
  readonly name: string;
  /** BDF of the host interface (NHI) the domain hangs off. */
  readonly nhi: string;
  readonly security: string;
  readonly deauthorization?: 0 | 1;
  readonly iommuDmaProtection?: 0 | 1;
};

export type TbRouterSpec = {
  /** Route-string name, '0-0' for the host router, '0-1' for a peripheral. */
  readonly id: string;
  readonly domain: string;
  /** Parent router id; absent for the host router. */
  readonly parent?: string;
  readonly vendor: number;
  readonly vendorName: string;
  readonly device: number;
  readonly deviceName: string;
  readonly authorized: 0 | 1 | 2;
  readonly uniqueId: string;
  readonly generation: number;
  readonly boot?: 0 | 1;
  /** USB4 router type for the uevent. */
  readonly usb4Type?: 'host' | 'device' | 'hub';
};

export type ModuleSpec = {
  readonly name: string;
  readonly refcnt?: number;
  readonly holders?: readonly string[];
  /** Built-in modules have a /sys/module dir but no refcnt. */
  readonly builtin?: boolean;
};

export type UserSpec = { readonly name: string; readonly uid: number };

export type Scenario = {
  readonly name: string;
  readonly description: string;
  readonly pci: readonly PciFunctionSpec[];
  readonly thunderbolt: {
    readonly domains: readonly TbDomainSpec[];
    readonly routers: readonly TbRouterSpec[];
  };
  readonly modules: readonly ModuleSpec[];
  readonly users?: readonly UserSpec[];
  /** Lines for a small pci.ids so names resolve as on a machine with the pciutils database. */
  readonly pciIds?: string;
  /** Kernel version for /proc/sys/kernel/osrelease. */
  readonly kernelRelease?: string;
  /** Extra lines for /proc/self/mountinfo besides the storage partitions' mounts. */
  readonly mountinfo?: readonly string[];
};

export const CLASS = {
  vga: 0x030000,
  display3d: 0x030200,
  displayOther: 0x038000,
  audio: 0x040300,
  bridgePci: 0x060400,
  hostBridge: 0x060000,
  usb: 0x0c0330,
  usb4: 0x0c0340,
  thunderboltNhi: 0x088000,
  nvme: 0x010802,
  ethernet: 0x020000,
} as const;
