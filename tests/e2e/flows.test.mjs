// What a person does: sign in (wrong, then right password), see the back office, sign out,
// switch language and find the choice remembered, open the mobile menu. With JavaScript on;
// nojs.test.mjs does the same without it.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO } from './server.mjs';
import { launch, watchPage, PHONE, t } from './lib.mjs';

const LOGIN = `/${DEMO.tenantSlug}/ufficio/accedi`;
const OFFICE = `/${DEMO.tenantSlug}/ufficio/`;
const HOME = `/${DEMO.tenantSlug}/`;

let server;
let browser;
let page;
let problems;

before(async () => {
  server = await startServer();
  browser = await launch();
});

after(async () => {
  if (browser) await browser.close();
  if (server) await server.stop();
});

async function freshPage(viewport = { width: 1280, height: 900 }) {
  if (page) await page.close();
  await browser.context.clearCookies();
  page = await browser.context.newPage();
  await page.setViewportSize(viewport);
  problems = watchPage(page);
  return page;
}

async function submitLogin(email, password) {
  await page.fill('#email', email);
  await page.fill('#password', password);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('form.rf-form button[type="submit"]'),
  ]);
  return response;
}

test('a wrong password shows the error next to the form and keeps the e-mail', async () => {
  await freshPage();
  await page.goto(server.baseURL + LOGIN);
  const response = await submitLogin(DEMO.email, 'Wrong-Password-1');
  assert.equal(response.status(), 422);
  assert.equal(new URL(page.url()).pathname, LOGIN);
  const alert = page.locator('[role="alert"]');
  assert.equal(await alert.count(), 1);
  assert.equal((await alert.innerText()).trim(), t('Wrong e-mail address or password.'));
  // The alert stands right before the form, inside the same column.
  const adjacent = await page.evaluate(() => {
    const a = document.querySelector('[role="alert"]');
    return a.nextElementSibling === document.querySelector('form.rf-form');
  });
  assert.ok(adjacent, 'the alert is right before the form');
  assert.equal(await page.inputValue('#email'), DEMO.email, 'the e-mail is kept');
  assert.equal(await page.inputValue('#password'), '', 'the password is never refilled');
  assert.deepEqual(problems, []);
});

test('an invalid e-mail is marked on the field, tied by aria-describedby', async () => {
  await freshPage();
  await page.goto(server.baseURL + LOGIN);
  // Skip the browser's own check of type=email so the server's message shows.
  await page.evaluate(() => { document.querySelector('form.rf-form').noValidate = true; });
  const response = await submitLogin('not-an-address', 'whatever');
  assert.equal(response.status(), 422);
  const email = page.locator('#email');
  assert.equal(await email.getAttribute('aria-invalid'), 'true');
  const describedBy = await email.getAttribute('aria-describedby');
  assert.ok(describedBy, 'aria-describedby is set');
  const message = page.locator(`#${describedBy}`);
  assert.equal(await message.count(), 1);
  assert.ok((await message.innerText()).trim().length > 0, 'the field error has text');
  assert.equal(await page.inputValue('#email'), 'not-an-address');
});

test('the right password reaches the back office with the staff name', async () => {
  await freshPage();
  await page.goto(server.baseURL + LOGIN);
  await submitLogin(DEMO.email, DEMO.password);
  assert.equal(new URL(page.url()).pathname, OFFICE);
  assert.equal((await page.locator('h1').innerText()).trim(), t('Back office'));
  assert.equal((await page.locator('.rf-user-name').innerText()).trim(), DEMO.staffName);
  const main = await page.locator('main').innerText();
  assert.ok(main.includes(t('Hello, {user.name}.', 'it', { 'user.name': DEMO.staffName })),
    'the greeting names the staff member');
  assert.ok(main.includes(DEMO.tenantName), 'the tenant is named');
  assert.deepEqual(problems, []);
});

test('signing out ends the session', async () => {
  // Continues from the signed-in page of the previous test.
  const signOut = page.locator('form.rf-signout button[type="submit"]');
  assert.equal(await signOut.count(), 1);
  await Promise.all([page.waitForNavigation(), signOut.click()]);
  assert.equal(new URL(page.url()).pathname, HOME);
  assert.equal(await page.locator('.rf-user-name').count(), 0, 'no one is shown as signed in');
  await page.goto(server.baseURL + OFFICE);
  assert.equal(new URL(page.url()).pathname, LOGIN, 'the back office asks to sign in again');
});

test('?lang=en shows English and the choice sticks on the next page', async () => {
  await freshPage();
  await page.goto(`${server.baseURL}${HOME}?lang=en`);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.locator('.it-brand-tagline').first().innerText()).trim(), 'School meal service');
  const switchLink = page.locator('a.rf-lang-switch');
  assert.equal(await switchLink.getAttribute('lang'), 'it');
  assert.match(await switchLink.getAttribute('href'), /\?lang=it$/);

  // Next page, no parameter: still English (cookie).
  await page.goto(server.baseURL + LOGIN);
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal((await page.locator('h1').innerText()).trim(), 'Staff sign-in');

  // Back to Italian through the switch link, and that sticks too.
  await Promise.all([page.waitForNavigation(), page.click('a.rf-lang-switch')]);
  assert.equal(await page.getAttribute('html', 'lang'), 'it');
  await page.goto(server.baseURL + HOME);
  assert.equal(await page.getAttribute('html', 'lang'), 'it');
  assert.equal((await page.locator('.it-brand-tagline').first().innerText()).trim(),
    t('School meal service'));
});

test('on a phone the menu button opens and closes the navigation', async () => {
  await freshPage(PHONE);
  await page.goto(server.baseURL + LOGIN);
  await submitLogin(DEMO.email, DEMO.password);
  assert.equal(new URL(page.url()).pathname, OFFICE);
  const toggler = page.locator('.custom-navbar-toggler');
  const link = page.locator('#main-nav a.nav-link').first();
  assert.ok(await toggler.isVisible(), 'the menu button shows on a phone');
  assert.equal(await link.isVisible(), false, 'the menu starts closed');
  await toggler.click();
  await link.waitFor({ state: 'visible' });
  assert.equal(await toggler.getAttribute('aria-expanded'), 'true');
  // Bootstrap Italia ignores the close button while the panel is still sliding in.
  await page.waitForFunction(() => {
    const t = getComputedStyle(document.querySelector('#main-nav .menu-wrapper')).transform;
    return t === 'none' || t === 'matrix(1, 0, 0, 1, 0, 0)';
  });
  await page.locator('#main-nav .close-menu').click();
  await link.waitFor({ state: 'hidden', timeout: 5000 });
  assert.equal(await toggler.getAttribute('aria-expanded'), 'false');
  assert.deepEqual(problems, []);
});
