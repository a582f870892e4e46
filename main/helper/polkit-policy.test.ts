// @vitest-environment jsdom
// The shipped polkit policy, parsed by a strict XML parser (jsdom's): well-formed, the freedesktop
// DOCTYPE, one action per helper verb routed by exec.argv1, the defaults the design asks for,
// exec.path equal to HELPER_INSTALL_PATH, and the imply groups that make one password cover an eject. polkit-pkexec.test.ts also has a real polkitd load it.

import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  HELPER_INSTALL_PATH,
  HELPER_VERBS,
  POLKIT_ACTION_PREFIX,
  POLKIT_IMPLY_GROUPS,
} from '../common/helper-contract.js';
import { POLICY_FILE } from './test/helper-fixture.js';

// The few DOM shapes used here (the project's type-check has no DOM lib).
type XmlElement = {
  readonly tagName: string;
  readonly textContent: string | null;
  getAttribute(name: string): string | null;
  querySelector(selector: string): XmlElement | null;
  querySelectorAll(selector: string): Iterable<XmlElement>;
};
type XmlDocument = XmlElement & {
  readonly documentElement: XmlElement;
  readonly doctype: { readonly name: string; readonly publicId: string } | null;
};
const { DOMParser } = globalThis as unknown as {
  DOMParser: new () => { parseFromString(text: string, type: string): XmlDocument };
};

const parse = (text: string): XmlDocument =>
  new DOMParser().parseFromString(text, 'application/xml');
const malformed = (doc: XmlDocument): boolean => doc.querySelector('parsererror') !== null;
const text = (el: XmlElement | null): string => el?.textContent?.trim() ?? '';

describe('assets/polkit/io.github.egpuguard.policy', () => {
  const doc = parse(fs.readFileSync(POLICY_FILE, 'utf8'));
  const actions = [...doc.querySelectorAll('action')];
  const annotation = (a: XmlElement, key: string): string =>
    text([...a.querySelectorAll('annotate')].find((n) => n.getAttribute('key') === key) ?? null);

  it('is well-formed polkit policy XML (and the parser does catch malformed XML)', () => {
    expect(malformed(parse('<policyconfig><vendor></policyconfig>'))).toBe(true);
    expect(malformed(doc)).toBe(false);
    expect(doc.doctype?.name).toBe('policyconfig');
    expect(doc.doctype?.publicId).toBe('-//freedesktop//DTD polkit Policy Configuration 1.0//EN');
    expect(doc.documentElement.tagName).toBe('policyconfig');
    expect(text(doc.querySelector('policyconfig > vendor'))).toBe('eGPU Guard');
  });

  it('has one action per helper verb, each routed by exec.argv1', () => {
    const ids = actions.map((a) => a.getAttribute('id') ?? '');
    expect(new Set(ids).size).toBe(ids.length);
    expect(
      actions.map((a) => annotation(a, 'org.freedesktop.policykit.exec.argv1')).sort(),
    ).toEqual([...HELPER_VERBS].sort());
    for (const a of actions) {
      // polkit_action_id_is_valid(): lowercase letters, digits, '.' and '-'.
      expect(a.getAttribute('id')).toMatch(/^[a-z0-9.-]+$/);
      expect(a.getAttribute('id')).toBe(
        POLKIT_ACTION_PREFIX + annotation(a, 'org.freedesktop.policykit.exec.argv1'),
      );
    }
  });

  it('asks an admin once per session on the active seat and refuses everyone else', () => {
    for (const a of actions) {
      expect(text(a.querySelector('defaults > allow_any'))).toBe('no');
      expect(text(a.querySelector('defaults > allow_inactive'))).toBe('no');
      expect(text(a.querySelector('defaults > allow_active'))).toBe('auth_admin_keep');
      expect(text(a.querySelector('description'))).not.toBe('');
      expect(text(a.querySelector('message'))).toMatch(/^Authentication is required to /);
      expect(annotation(a, 'org.freedesktop.policykit.exec.path')).toBe(HELPER_INSTALL_PATH);
    }
  });

  it('lets one authentication cover a whole eject or recovery, and nothing beyond its group', () => {
    // The groups name every verb exactly once.
    expect(POLKIT_IMPLY_GROUPS.flat().sort()).toEqual([...HELPER_VERBS].sort());
    for (const a of actions) {
      const verb = annotation(a, 'org.freedesktop.policykit.exec.argv1');
      const group = POLKIT_IMPLY_GROUPS.find((g) => g.includes(verb as never)) ?? [];
      const implied = annotation(a, 'org.freedesktop.policykit.imply');
      const expected = group.filter((v) => v !== verb).map((v) => POLKIT_ACTION_PREFIX + v);
      // polkitd splits the value on single spaces.
      expect(implied === '' ? [] : implied.split(' ')).toEqual(expected);
    }
    // An eject's kernel steps share one group; restart-unit never rides along.
    const ejectGroup = POLKIT_IMPLY_GROUPS.find((g) => g.includes('unbind')) ?? [];
    expect(ejectGroup).toEqual(
      expect.arrayContaining(['remove', 'module-unload', 'tb-deauthorize']),
    );
    expect(POLKIT_IMPLY_GROUPS.find((g) => g.includes('restart-unit'))).toEqual(['restart-unit']);
  });
});
