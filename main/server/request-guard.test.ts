import { describe, expect, it } from 'vitest';
import { checkHostAndOrigin, routeOf, tokenMatches } from './request-guard.js';

const check = (host: string | undefined, origin?: string, secFetchSite?: string) =>
  checkHostAndOrigin({ host, origin, secFetchSite, port: 4123 }).ok;

describe('request guard', () => {
  it('accepts only our own host names with our port', () => {
    expect(check('127.0.0.1:4123')).toBe(true);
    expect(check('localhost:4123')).toBe(true);
    expect(check('LOCALHOST:4123')).toBe(true);
    expect(check('127.0.0.1')).toBe(false);
    expect(check('127.0.0.1:4124')).toBe(false);
    expect(check('evil.example:4123')).toBe(false);
    expect(check('[::1]:4123')).toBe(false);
    expect(check(undefined)).toBe(false);
  });

  it('refuses a present Origin that is not ours, and cross-site fetch metadata', () => {
    expect(check('127.0.0.1:4123', 'http://127.0.0.1:4123')).toBe(true);
    expect(check('127.0.0.1:4123', 'http://localhost:4123')).toBe(true);
    expect(check('127.0.0.1:4123', 'https://127.0.0.1:4123')).toBe(false);
    expect(check('127.0.0.1:4123', 'http://evil.example')).toBe(false);
    expect(check('127.0.0.1:4123', 'null')).toBe(false);
    expect(check('127.0.0.1:4123', undefined, 'same-origin')).toBe(true);
    expect(check('127.0.0.1:4123', undefined, 'none')).toBe(true);
    expect(check('127.0.0.1:4123', undefined, 'cross-site')).toBe(false);
    expect(check('127.0.0.1:4123', undefined, 'same-site')).toBe(false);
  });

  it('lets a top-level navigation from elsewhere through, marked, for the server to narrow', () => {
    const nav = (secFetchSite: string | undefined, origin?: string) =>
      checkHostAndOrigin({
        host: '127.0.0.1:4123',
        origin,
        secFetchSite,
        port: 4123,
        topLevelNavigation: true,
      });
    expect(nav('cross-site')).toEqual({ ok: true, crossSiteNavigation: true });
    expect(nav('same-site')).toEqual({ ok: true, crossSiteNavigation: true });
    expect(nav('none')).toEqual({ ok: true, crossSiteNavigation: false });
    // A foreign Origin (a form POST, a fetch) is never a plain navigation.
    expect(nav('cross-site', 'http://evil.example').ok).toBe(false);
  });

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('abc', '')).toBe(false);
    expect(tokenMatches('abc', null)).toBe(false);
    expect(tokenMatches('abc', undefined)).toBe(false);
  });

  it('routes', () => {
    expect(routeOf('POST', '/api/eject:plan')).toEqual({ kind: 'invoke', channel: 'eject:plan' });
    expect(routeOf('GET', '/api/eject:plan').kind).toBe('method-not-allowed');
    expect(routeOf('GET', '/api/events')).toEqual({ kind: 'events' });
    expect(routeOf('GET', '/')).toEqual({ kind: 'static', path: 'index.html' });
    expect(routeOf('GET', '/assets/index.js')).toEqual({ kind: 'static', path: 'assets/index.js' });
    expect(routeOf('DELETE', '/').kind).toBe('method-not-allowed');
  });
});
