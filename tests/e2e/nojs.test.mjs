// The pages work without JavaScript: a context with javaScriptEnabled: false signs in, sees the
// navigation as a plain list on a phone, and signs out. axe cannot run where scripts are off,
// so the no-JS rendering (class "no-js" kept) is checked in a second context whose own scripts
// are blocked instead.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO } from './server.mjs';
import {
  launch, runAxe, formatViolations, hasHorizontalScroll, overflowingElements, PHONE, t,
} from './lib.mjs';

const LOGIN = `/${DEMO.tenantSlug}/ufficio/accedi`;
const OFFICE = `/${DEMO.tenantSlug}/ufficio/`;
const HOME = `/${DEMO.tenantSlug}/`;

let server;
let nojs; // scripts disabled
let blocked; // scripts enabled for axe, but the pages' own scripts never load
let page;

before(async () => {
  server = await startServer();
  nojs = await launch({ javaScriptEnabled: false, viewport: PHONE });
  blocked = await launch({ viewport: PHONE });
  await blocked.context.route('**/*.js', (route) => route.abort());
  page = await nojs.context.newPage();
});

after(async () => {
  if (nojs) await nojs.close();
  if (blocked) await blocked.close();
  if (server) await server.stop();
});

async function signIn(p) {
  await p.goto(server.baseURL + LOGIN);
  await p.fill('#email', DEMO.email);
  await p.fill('#password', DEMO.password);
  await Promise.all([p.waitForNavigation(), p.click('form.rf-form button[type="submit"]')]);
}

test('without JavaScript: signing in reaches the back office', async () => {
  await signIn(page);
  assert.equal(new URL(page.url()).pathname, OFFICE);
  assert.equal((await page.locator('h1').innerText()).trim(), t('Back office'));
  assert.equal((await page.locator('.rf-user-name').innerText()).trim(), DEMO.staffName);
});

test('without JavaScript: the navigation shows on a phone, no menu button', async () => {
  assert.equal(await page.getAttribute('html', 'class'), 'no-js');
  assert.equal(await page.locator('.custom-navbar-toggler').isVisible(), false);
  assert.ok(await page.locator('#main-nav a.nav-link').first().isVisible(), 'the nav links show');
});

test('without JavaScript: no horizontal scroll on a phone', async () => {
  for (const path of [OFFICE, HOME, LOGIN, '/']) {
    await page.goto(server.baseURL + path);
    assert.equal(await hasHorizontalScroll(page), false,
      `${path}: ${(await overflowingElements(page)).join(', ')}`);
  }
});

test('without JavaScript: signing out works', async () => {
  await page.goto(server.baseURL + OFFICE);
  await Promise.all([page.waitForNavigation(), page.click('form.rf-signout button[type="submit"]')]);
  assert.equal(new URL(page.url()).pathname, HOME);
  assert.equal(await page.locator('.rf-user-name').count(), 0);
});

test('the no-JavaScript rendering has no WCAG 2.1 AA violation', async () => {
  const p = await blocked.context.newPage();
  try {
    await signIn(p);
    for (const path of [OFFICE, HOME, LOGIN]) {
      await p.goto(server.baseURL + path);
      assert.equal(await p.getAttribute('html', 'class'), 'no-js');
      const violations = await runAxe(p);
      assert.equal(violations.length, 0, `${path}:\n${formatViolations(violations)}`);
    }
  } finally {
    await p.close();
  }
});
