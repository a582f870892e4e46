// `npm run icons`: renders the committed PNG icons from their SVG sources with rsvg-convert
// (Debian: apt-get install librsvg2-bin). Tray icons: 22 px and @2x 44 px per state (Electron's
// nativeImage picks the @2x file on HiDPI screens); app icon: the hicolor sizes 16–512 that
// electron-builder installs from assets/icons/app (NxN.png).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const TRAY = 'assets/icons/tray';
const APP = 'assets/icons/app';
const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

function render(svg, size, png) {
  const r = spawnSync('rsvg-convert', ['-w', String(size), '-h', String(size), svg, '-o', png], {
    stdio: 'inherit',
  });
  if (r.error !== undefined) {
    console.error('icons: rsvg-convert not found; apt-get install librsvg2-bin');
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let count = 0;
for (const file of readdirSync(TRAY).filter((f) => f.endsWith('.svg'))) {
  const base = `${TRAY}/${file.slice(0, -4)}`;
  render(`${TRAY}/${file}`, 22, `${base}.png`);
  render(`${TRAY}/${file}`, 44, `${base}@2x.png`);
  count += 2;
}
for (const size of APP_SIZES) {
  render(`${APP}/egpu-guard.svg`, size, `${APP}/${size}x${size}.png`);
  count++;
}
console.log(`icons: ${count} PNGs rendered from SVG`);
