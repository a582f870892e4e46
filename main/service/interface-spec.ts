// The session-bus API as data: the one description that the service dispatches by, answers
// Introspect with, and that assets/dbus/io.github.EgpuGuard1.xml is generated from (a test keeps
// the file equal). Format: the D-Bus specification's "Introspection Data Format".

import { FACES_IFACE, MANAGER_IFACE } from './bus-names.js';

export type ArgSpec = { readonly name: string; readonly type: string };

export type MethodSpec = {
  readonly name: string;
  readonly in: readonly ArgSpec[];
  readonly out: readonly ArgSpec[];
  readonly doc: string;
};

export type SignalSpec = {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly doc: string;
};

export type PropertySpec = {
  readonly name: string;
  readonly type: string;
  /** org.freedesktop.DBus.Property.EmitsChangedSignal: whether PropertiesChanged carries it. */
  readonly emits: boolean;
  readonly doc: string;
};

export type InterfaceSpec = {
  readonly name: string;
  readonly doc: string;
  readonly methods: readonly MethodSpec[];
  readonly signals: readonly SignalSpec[];
  readonly properties: readonly PropertySpec[];
};

const a = (name: string, type: string): ArgSpec => ({ name, type });

export const MANAGER: InterfaceSpec = {
  name: MANAGER_IFACE,
  doc: 'The GPUs of this session and their lifecycle; safe eject and recovery.',
  properties: [
    { name: 'Version', type: 's', emits: false, doc: 'eGPU Guard version.' },
    {
      name: 'Gpus',
      type: 'aa{sv}',
      emits: true,
      doc: 'One dict per GPU: bdf, name, state, state_text, severity, external, enclosure, present, in_use, action.',
    },
    {
      name: 'Incidents',
      type: 'aa{sv}',
      emits: true,
      doc: 'Open incidents: id, bdf, kind, severity, title, opened_at (ms since the epoch).',
    },
  ],
  methods: [
    {
      name: 'PlanEject',
      in: [a('bdf', 's')],
      out: [a('plan', 'a{sv}')],
      doc: 'What an eject of this GPU would do and what blocks it; changes nothing.',
    },
    {
      name: 'Eject',
      in: [a('bdf', 's'), a('options', 'a{sv}')],
      out: [a('run_id', 's')],
      doc: 'Starts an eject. Options: close_apps (b), close_pids (au), force (b). Progress: RunProgress, RunFinished.',
    },
    {
      name: 'PlanRecover',
      in: [a('bdf', 's')],
      out: [a('plan', 'a{sv}')],
      doc: 'What a recovery would do ("" = any GPU that needs one); changes nothing.',
    },
    {
      name: 'Recover',
      in: [a('bdf', 's'), a('options', 'a{sv}')],
      out: [a('run_id', 's')],
      doc: 'Starts a recovery ("" = any GPU that needs one). No options yet.',
    },
    {
      name: 'Cancel',
      in: [a('run_id', 's')],
      out: [],
      doc: 'Cancels a run between steps.',
    },
    {
      name: 'Clients',
      in: [a('bdf', 's')],
      out: [a('clients', 'aa{sv}')],
      doc: 'Processes that hold the GPU now ("" = any GPU): pid, command, cmdline, user, uid, bdf, nodes, via, role.',
    },
    {
      name: 'CompositorAdvice',
      in: [],
      out: [a('advice', 'a{sv}')],
      doc: 'How to restart this desktop session so it lets go of a GPU: session, detail, actions, notes.',
    },
  ],
  signals: [
    {
      name: 'StateChanged',
      args: [a('bdf', 's'), a('from', 's'), a('to', 's')],
      doc: 'A GPU moved between states (the keys of the state vocabulary; from is "" for a new GPU).',
    },
    {
      name: 'IncidentOpened',
      args: [a('id', 's'), a('bdf', 's'), a('severity', 's'), a('title', 's')],
      doc: 'Something went wrong (a surprise removal, a GPU that fell off the bus, a stuck driver).',
    },
    {
      name: 'IncidentResolved',
      args: [a('id', 's'), a('bdf', 's'), a('outcome', 's')],
      doc: 'An incident ended (the GPU is back, or was ejected); outcome in words.',
    },
    {
      name: 'RunProgress',
      args: [a('run_id', 's'), a('step', 's'), a('status', 's'), a('detail', 's')],
      doc: 'One step of an eject or recovery: status is running, done, failed or skipped.',
    },
    {
      name: 'RunFinished',
      args: [a('run_id', 's'), a('result', 's'), a('detail', 's')],
      doc: 'The run ended: safe-to-unplug, recovered, blocked, failed, stuck or cancelled.',
    },
  ],
};

export const FACES: InterfaceSpec = {
  name: FACES_IFACE,
  doc: "Internal: eGPU Guard's own windows and CLI attached to this core. No stability promise.",
  properties: [],
  methods: [
    {
      name: 'Invoke',
      in: [a('channel', 's'), a('input', 's')],
      out: [a('result', 's')],
      doc: 'One IPC channel of the window (JSON in, JSON IpcResult out).',
    },
  ],
  signals: [
    { name: 'SnapshotChanged', args: [a('snapshot', 's')], doc: 'The whole picture, JSON.' },
    {
      name: 'CoreEvent',
      args: [a('kind', 's'), a('event', 's')],
      doc: 'transition, incident or notice, JSON.',
    },
    { name: 'ActionProgress', args: [a('message', 's')], doc: 'Progress of a run, JSON.' },
  ],
};

export const INTERFACES: readonly InterfaceSpec[] = [MANAGER, FACES];

const esc = (s: string): string =>
  s
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');

const docAnnotation = (pad: string, doc: string): string =>
  `${pad}<annotation name="org.gtk.GDBus.DocString" value="${esc(doc)}"/>\n`;

function interfaceXml(i: InterfaceSpec): string {
  let x = `  <interface name="${i.name}">\n` + docAnnotation('    ', i.doc);
  for (const p of i.properties) {
    x += `    <property name="${p.name}" type="${p.type}" access="read">\n`;
    x += docAnnotation('      ', p.doc);
    if (!p.emits)
      x += `      <annotation name="org.freedesktop.DBus.Property.EmitsChangedSignal" value="const"/>\n`;
    x += `    </property>\n`;
  }
  for (const m of i.methods) {
    x += `    <method name="${m.name}">\n` + docAnnotation('      ', m.doc);
    for (const arg of m.in)
      x += `      <arg name="${arg.name}" type="${arg.type}" direction="in"/>\n`;
    for (const arg of m.out)
      x += `      <arg name="${arg.name}" type="${arg.type}" direction="out"/>\n`;
    x += `    </method>\n`;
  }
  for (const s of i.signals) {
    x += `    <signal name="${s.name}">\n` + docAnnotation('      ', s.doc);
    for (const arg of s.args) x += `      <arg name="${arg.name}" type="${arg.type}"/>\n`;
    x += `    </signal>\n`;
  }
  return x + `  </interface>\n`;
}

const DOCTYPE =
  '<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"\n' +
  ' "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">\n';

/** The interfaces alone: assets/dbus/io.github.EgpuGuard1.xml. */
export function apiXml(): string {
  return DOCTYPE + '<node>\n' + INTERFACES.map(interfaceXml).join('') + '</node>\n';
}

const STANDARD = `  <interface name="org.freedesktop.DBus.Introspectable">
    <method name="Introspect">
      <arg name="xml_data" type="s" direction="out"/>
    </method>
  </interface>
  <interface name="org.freedesktop.DBus.Peer">
    <method name="Ping"/>
    <method name="GetMachineId">
      <arg name="machine_uuid" type="s" direction="out"/>
    </method>
  </interface>
  <interface name="org.freedesktop.DBus.Properties">
    <method name="Get">
      <arg name="interface_name" type="s" direction="in"/>
      <arg name="property_name" type="s" direction="in"/>
      <arg name="value" type="v" direction="out"/>
    </method>
    <method name="GetAll">
      <arg name="interface_name" type="s" direction="in"/>
      <arg name="props" type="a{sv}" direction="out"/>
    </method>
    <method name="Set">
      <arg name="interface_name" type="s" direction="in"/>
      <arg name="property_name" type="s" direction="in"/>
      <arg name="value" type="v" direction="in"/>
    </method>
    <signal name="PropertiesChanged">
      <arg name="interface_name" type="s"/>
      <arg name="changed_properties" type="a{sv}"/>
      <arg name="invalidated_properties" type="as"/>
    </signal>
  </interface>
`;

/** Introspect's answer for the object itself (standard interfaces included). */
export function objectXml(): string {
  return DOCTYPE + '<node>\n' + STANDARD + INTERFACES.map(interfaceXml).join('') + '</node>\n';
}

/** Introspect's answer for a path above the object: a node with one child, so tools can walk. */
export function parentXml(child: string): string {
  return DOCTYPE + `<node>\n  <node name="${esc(child)}"/>\n</node>\n`;
}
