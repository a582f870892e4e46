// `npm start`: the most useful thing this checkout can run. Today that is `egpu status` for this
// machine; the tray app and browser mode take over here once they exist.
import { spawnSync } from 'node:child_process';

const r = spawnSync(process.execPath, ['bin/egpu.js', 'status', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(r.status ?? 1);
