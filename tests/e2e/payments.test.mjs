// A family tops up in the browser, at desktop and phone width: sees the balance and the payment
// already awaiting confirmation on its home, opens the top-up page, types an amount the wrong way
// (the message sits next to the field and what it typed stays), types it right, goes to pay
// online, pays on the pagoPA stand-in's page and comes back to "awaiting confirmation" (the
// demo's stand-in confirms 20 seconds later); downloads the payment notice; reads its statement.
// Every page of ours on the way is checked with axe-core (WCAG 2.1 AA), html-validate and for
// horizontal scroll.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO } from './server.mjs';
import {
  launch, watchPage, runAxe, formatViolations, validateHtml, hasHorizontalScroll, PHONE, t,
} from './lib.mjs';

const BASE = `/${DEMO.tenantSlug}/famiglie`;
const LOGIN = 'RSSGLI18E62H501A'; // Giulia Rossi, daughter of Mario Rossi (demo data)
const PASSWORD = 'Pranzo-Sereno-2026';

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await server.stop();
});

async function cookieHeader(page) {
  const cookies = await page.context().cookies();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
}

async function checkPage(page, name) {
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${name}: axe violations\n${formatViolations(violations)}`);
  const html = await (await fetch(page.url(), { headers: { cookie: await cookieHeader(page) } })).text();
  const errors = await validateHtml(html, name);
  assert.deepEqual(errors, [], `${name}: invalid HTML\n${errors.join('\n')}`);
  assert.equal(await hasHorizontalScroll(page), false, `${name}: horizontal scroll`);
}

for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
  test(`a family tops up and pays online (${viewport.width}px)`, async () => {
    const browser = await launch({ viewport });
    const page = await browser.context.newPage();
    const problems = watchPage(page);
    await page.goto(server.baseURL + `${BASE}/accedi`);
    await page.fill('#login', LOGIN);
    await page.fill('#password', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);
    assert.equal(new URL(page.url()).pathname, `${BASE}/`);
    // The demo's 30,00 paid online and not yet confirmed is shown, never silently missing (with
    // the other width's 25,00 when that test ran less than 20 seconds ago).
    assert.match(await page.locator('.alert-warning').first().innerText(), /(30|55),00/);

    await Promise.all([page.waitForNavigation(), page.click(`a[href="${BASE}/ricariche"]`)]);
    assert.match(await page.locator('h1').innerText(), new RegExp(t('Top up your credit')));
    await checkPage(page, 'top-up');

    // A dot for the cents: refused next to the field, the text kept.
    await page.click('label[for="amount-other"]');
    await page.fill('#other_amount', '12.50');
    await Promise.all([page.waitForNavigation(), page.click('button[value="online"]')]);
    assert.equal(await page.locator('#other_amount').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.inputValue('#other_amount'), '12.50');
    assert.ok(await page.locator('#other_amount-error').isVisible());
    await checkPage(page, 'top-up with errors');

    // A notice to pay later first; then, from its page, paying online after all.
    await page.fill('#other_amount', '25,00');
    await Promise.all([page.waitForNavigation(), page.click('button[value="notice"]')]);
    assert.match(new URL(page.url()).pathname, new RegExp(`^${BASE}/ricariche/\\d+$`));
    assert.match(await page.locator('.rf-summary').innerText(), /25,00/);
    await checkPage(page, 'payment position');

    // The notice to pay later is a PDF.
    const href = await page.locator(`a[href$="/avviso.pdf"]`).getAttribute('href');
    const pdf = await fetch(server.baseURL + href, { headers: { cookie: await cookieHeader(page) } });
    assert.equal(pdf.status, 200);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.equal(Buffer.from(await pdf.arrayBuffer()).subarray(0, 4).toString(), '%PDF');

    // To pagoPA (the stand-in's page), pay, and back.
    const positionPath = new URL(page.url()).pathname;
    await Promise.all([page.waitForNavigation(), page.click('form[action$="/paga"] button')]);
    assert.notEqual(new URL(page.url()).port, String(server.port));
    await Promise.all([page.waitForNavigation(), page.click('button.pay')]);
    assert.equal(new URL(page.url()).pathname, positionPath);
    assert.equal(await page.locator('.badge').first().innerText(), t('Awaiting confirmation'));
    assert.match(await page.locator('.alert-warning').first().innerText(), /25,00/);
    await checkPage(page, 'payment awaiting confirmation');

    await page.goto(server.baseURL + `${BASE}/conto`);
    await checkPage(page, 'statement');
    await page.goto(server.baseURL + `${BASE}/attestazioni`);
    await checkPage(page, 'tax certificates');
    await page.goto(server.baseURL + `${BASE}/tariffa`);
    await checkPage(page, 'meal price');
    assert.deepEqual(problems, []);
    await browser.close();
  });
}
