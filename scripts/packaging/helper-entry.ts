// Entry of the single-file helper bundle that packages install as
// /usr/libexec/egpu-guard/egpu-guard-helper (scripts/package.mjs builds it into
// dist/helper/egpu-guard-helper.cjs). pkexec runs it as root with a clean environment.
import { helperMain } from '../../main/helper/main.js';

helperMain();
