// PCI addresses as kernel messages write them: the dev_printk device prefix (`pcieport
// 0000:00:1c.5: `, old pciehp's `pciehp 0000:02:05.0:pcie24: `) or an address inside the text
// (NVIDIA's `PCI:0000:5d:00`, which has no function). Normalised to dddd:bb:dd.f lowercase:
// a missing domain is 0000, a missing function .0 (LABELING.md §2.3). A domain has 4 hex digits,
// or 5 behind Intel VMD (`pcieport 10001:80:02.0:`; see BDF_PATTERN in common/pci.ts).

import { normalizeBdf } from '../common/pci.js';

export { normalizeBdf };

const ADDR = String.raw`(?:[0-9a-fA-F]{4,5}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}(?:\.[0-7])?`;
/** `<driver> <dev>[:<sub>]: ` at the start of a dev_printk message (drivers/base/core.c). */
const DEVICE_PREFIX =
  /^([\w.-]{1,64}) ((?:[0-9a-fA-F]{4,5}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])(?::[\w.-]{1,32})?:(?:\s|$)/;

export type DevicePrefix = { readonly driver: string; readonly bdf: string };

export function parseDevicePrefix(message: string): DevicePrefix | null {
  const m = DEVICE_PREFIX.exec(message);
  if (!m) return null;
  const bdf = normalizeBdf(m[2]!);
  return bdf === null ? null : { driver: m[1]!, bdf };
}

/** `GPU at 0000:01:00.0`, `GPU 0000:06:00.0:`, `The NVIDIA GPU 0000:b3:00.0`, `GPU0000:02:00.0`. */
const GPU_ADDRESS = new RegExp(String.raw`\bGPU ?(?:at )?(?:PCI:)?(${ADDR})(?![\w.]|:\w)`);

export function gpuAddressIn(text: string): string | null {
  const m = GPU_ADDRESS.exec(text);
  return m ? normalizeBdf(m[1]!) : null;
}

/** A bare address token such as the `<bdf>` of `Attempting to remove device <bdf> ...`. */
export function addressToken(token: string): string | null {
  return normalizeBdf(token.replace(/^PCI:/, '').replace(/[,.:;]+$/, ''));
}
