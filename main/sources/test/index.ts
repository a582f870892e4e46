// Shared test support of main/sources/, for the state machine's and `egpu watch`'s tests too:
// private dbus-daemons, fake D-Bus services, journal files built by systemd-journal-remote,
// udevadm transcripts and an event collector.

export * from './collect.js';
export * from './dbus-daemon.js';
export * from './fake-bolt-service.js';
export * from './fake-service-bus.js';
export * from './fake-system-services.js';
export * from './journal-builder.js';
export * from './udev-transcript.js';
