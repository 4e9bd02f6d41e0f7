import { describe, expect, it } from 'vitest';
import { Router } from '../../src/service/router.ts';
import { ROUTES } from '../../src/service/routes.ts';
import { httpFailure as failure } from './failure.ts';

const router = new Router(ROUTES);

describe('Router', () => {
  it('matches by the resource API Gateway names', () => {
    const match = router.match({ method: 'GET', resource: '/user/{id}', path: '/user/abc12345' });
    expect(match.route.operation).toBe('getUser');
    expect(match.params).toEqual({ id: 'abc12345' });
  });

  it('binds each method of the resource to its operation', () => {
    const ops = ['GET', 'POST', 'DELETE'].map(
      (method) => router.match({ method, resource: '/user/{id}' }).route.operation,
    );
    expect(ops).toEqual(['getUser', 'putUser', 'deleteUser']);
  });

  it('matches the path when the resource is unknown (a {proxy+} catch-all)', () => {
    const match = router.match({ method: 'POST', resource: '/{proxy+}', path: '/user/Abc12345' });
    expect(match.route.operation).toBe('putUser');
    expect(match.params).toEqual({ id: 'Abc12345' });
  });

  it('accepts one trailing slash and decodes percent-escapes in parameters', () => {
    expect(router.match({ method: 'GET', path: '/user/abc12345/' }).params).toEqual({
      id: 'abc12345',
    });
    expect(router.match({ method: 'GET', path: '/user/%41bc12345' }).params).toEqual({
      id: 'Abc12345',
    });
  });

  it('keeps a malformed escape as sent (validation then refuses it)', () => {
    expect(router.match({ method: 'GET', path: '/user/%E0%A4%A' }).params).toEqual({
      id: '%E0%A4%A',
    });
  });

  it('answers 405 with Allow for a method the resource does not serve', () => {
    const error = failure(() => router.match({ method: 'PUT', resource: '/user/{id}' }));
    expect(error.status).toBe(405);
    expect(error.headers).toEqual({ Allow: 'DELETE, GET, POST' });
    expect(error.message).toContain('PUT');
  });

  it('treats methods case-sensitively, as HTTP does', () => {
    expect(failure(() => router.match({ method: 'get', path: '/user/abc12345' })).status).toBe(405);
  });

  it.each([
    ['/', 'GET'],
    ['/user', 'GET'],
    ['/user/', 'GET'],
    ['/user/abc12345/extra', 'GET'],
    ['/users/abc12345', 'POST'],
    ['', 'GET'],
  ])('answers 404 for %j', (path, method) => {
    const error = failure(() => router.match({ method, path }));
    expect(error.status).toBe(404);
    expect(error.message).toBe(`no route for ${method} ${path}`);
  });

  it('answers 404 when the event carries neither a known resource nor a path', () => {
    expect(failure(() => router.match({ method: 'GET', resource: null, path: null })).status).toBe(
      404,
    );
  });

  it('escapes and shortens hostile paths in the message', () => {
    const error = failure(() => router.match({ method: 'GET', path: `/x\n"${'a'.repeat(500)}` }));
    expect(error.message).not.toContain('\n');
    expect(error.message.length).toBeLessThan(120);
  });
});
