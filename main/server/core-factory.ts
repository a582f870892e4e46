// Browser mode's Core comes from the one factory the faces share (main/core/face-core.ts).

export { createUiCore, type UiCore, type UiCoreOptions } from '../core/face-core.js';
