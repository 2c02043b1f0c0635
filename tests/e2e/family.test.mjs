// A family in the browser: signs in with a child's codice fiscale, changes the e-mail address
// and verifies it with the code that arrives by e-mail (read back from the outbox with the
// sqlite3 command, as the family would read its mailbox), sees the new address, signs out.
// Every page on the way is checked with axe-core (WCAG 2.1 AA) and html-validate, also at
// phone width.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, DEMO } from './server.mjs';
import {
  launch, watchPage, runAxe, formatViolations, validateHtml, hasHorizontalScroll, PHONE, t,
} from './lib.mjs';

const BASE = `/${DEMO.tenantSlug}/famiglie`;
const LOGIN = 'FRRSFO19T41F205D'; // Sofia Ferri, daughter of Chiara Bianchi (demo data)
const PASSWORD = 'Pranzo-Sereno-2026';
const NEW_EMAIL = 'chiara.bianchi@example.net';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await server.stop();
});

function latestCode(to) {
  const out = execFileSync('sqlite3', ['-readonly', server.dbPath,
    `SELECT body_text FROM mail_outbox WHERE recipient = '${to.replace(/'/g, "''")}' ORDER BY id DESC LIMIT 1`],
  { encoding: 'utf8' });
  const m = out.match(/(?<!\d)\d{6}(?!\d)/);
  assert.ok(m, `no 6-digit code in the e-mail to ${to}:\n${out}`);
  return m[0];
}

async function checkPage(page, name) {
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${name}: axe violations\n${formatViolations(violations)}`);
  const html = await (await fetch(page.url(), { headers: { cookie: await cookieHeader(page) } })).text();
  const errors = await validateHtml(html, name);
  assert.deepEqual(errors, [], `${name}: invalid HTML\n${errors.join('\n')}`);
}

async function cookieHeader(page) {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
  test(`a family signs in and verifies a new e-mail address (${viewport.width}px)`, async () => {
    const browser = await launch({ viewport });
    const page = await browser.context.newPage();
    const problems = watchPage(page);
    await page.goto(server.baseURL + `/${DEMO.tenantSlug}/`);
    await page.click(`a[href="${BASE}/accedi"]`);
    assert.equal(new URL(page.url()).pathname, `${BASE}/accedi`);
    await checkPage(page, 'family sign-in');

    await page.fill('#login', LOGIN.toLowerCase());
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);
    assert.equal(new URL(page.url()).pathname, `${BASE}/`);
    assert.match(await page.locator('h1').innerText(), new RegExp(t('Your account')));
    assert.ok(await page.getByText('Sofia Ferri').first().isVisible());
    await checkPage(page, 'family home');
    assert.equal(await hasHorizontalScroll(page), false);

    await page.click(`a[href="${BASE}/email"]`);
    await checkPage(page, 'e-mail change');
    const address = viewport === PHONE ? NEW_EMAIL.replace('@', '.phone@') : NEW_EMAIL;
    await page.fill('#email', address);
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);
    const masked = `${address[0]}***${address.slice(address.indexOf('@'))}`;
    assert.ok((await page.locator('[role="status"]').innerText()).includes(masked));
    await checkPage(page, 'code entry');

    // A wrong code first: the message sits next to the field and the field is marked invalid.
    const code = latestCode(address);
    await page.fill('#code', code === '000000' ? '111111' : '000000');
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);
    assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
    assert.ok((await page.locator('#code-error').innerText()).length > 0);
    await checkPage(page, 'wrong code');

    await page.fill('#code', code);
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);
    assert.ok((await page.locator('[role="status"]').innerText()).includes(address));
    await page.goto(server.baseURL + `${BASE}/`);
    assert.ok(await page.getByText(address).isVisible());

    await Promise.all([page.waitForNavigation(), page.click('form.rf-signout button')]);
    assert.equal(new URL(page.url()).pathname, `/${DEMO.tenantSlug}/`);
    assert.deepEqual(problems, []);
    await browser.close();
  });
}
