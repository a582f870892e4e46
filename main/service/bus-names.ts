// The names of eGPU Guard's session-bus API (docs/dbus-api.md). The version is in the name: a
// change that breaks callers gets io.github.EgpuGuard2 beside this one, never a silent change.

export const BUS_NAME = 'io.github.EgpuGuard1';
export const OBJECT_PATH = '/io/github/EgpuGuard1';
/** The documented, stable interface for integrators (widgets, shell extensions, scripts). */
export const MANAGER_IFACE = 'io.github.EgpuGuard1.Manager';
/**
 * eGPU Guard's own faces (the tray app's window, `egpu ui`, the CLI) attached to the session's
 * core: the window's IPC channels as JSON. Internal: no stability promise beyond one release.
 */
export const FACES_IFACE = 'io.github.EgpuGuard1.Faces';
export const ERROR_PREFIX = 'io.github.EgpuGuard1.Error';
