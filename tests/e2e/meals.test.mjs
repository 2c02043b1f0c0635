// A family changes its meal bookings in the browser, at desktop and phone width: signs in, opens
// the meals calendar from its home, cancels one day (a school day still booked and changeable,
// read from the calendar itself: the demo runs on the real clock), reads the receipt number, goes
// back and sees the day cancelled; then plans a week's absence with the day back at school, gets
// a second receipt and sees the days of the absence cancelled in the grid; finds both receipts in
// the list. A form sent without a day comes back with the message next to the field. Every page
// is checked with axe-core (WCAG 2.1 AA), html-validate and for horizontal scroll.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DEMO } from './server.mjs';
import {
  launch, watchPage, runAxe, formatViolations, validateHtml, hasHorizontalScroll, PHONE, t,
} from './lib.mjs';

const BASE = `/${DEMO.tenantSlug}/famiglie`;
const LOGIN = 'RSSGLI18E62H501A'; // Giulia Rossi, daughter of Mario Rossi (demo data)
const PASSWORD = 'Pranzo-Sereno-2026';
const RECEIPT = /^\d{4}-\d{7}$/;

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

async function checkPage(page, name, { validate = true } = {}) {
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${name}: axe violations\n${formatViolations(violations)}`);
  if (validate) {
    const html = await (await fetch(page.url(), { headers: { cookie: await cookieHeader(page) } })).text();
    const errors = await validateHtml(html, name);
    assert.deepEqual(errors, [], `${name}: invalid HTML\n${errors.join('\n')}`);
  }
  assert.equal(await hasHorizontalScroll(page), false, `${name}: horizontal scroll`);
}

// "YYYY-MM-DD" plus n days.
function addDays(ymd, n) {
  const d = new Date(`${ymd}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// The first day shown still booked and changeable, after `after` (a "YYYY-MM-DD" or ''); up to
// two months ahead. Leaves the page on the month that has it.
async function bookedDay(page, after = '') {
  for (let i = 0; i < 3; i++) {
    const days = await page.locator('#meal-calendar td[data-state="booked"][data-changeable="1"]')
      .evaluateAll((tds) => tds.map((td) => td.dataset.day));
    const day = days.find((d) => d > after);
    if (day) return day;
    await Promise.all([page.waitForNavigation(), page.click('#next-month')]);
  }
  return null;
}

async function stateOf(page, day) {
  return page.locator(`#meal-calendar td[data-day="${day}"]`).getAttribute('data-state');
}

for (const viewport of [{ width: 1280, height: 900 }, PHONE]) {
  test(`a family cancels a day and plans an absence (${viewport.width}px)`, async (ctx) => {
    const browser = await launch({ viewport });
    try {
      await run(browser, ctx);
    } finally {
      await browser.close();
    }
  });
}

async function run(browser, ctx) {
  const page = await browser.context.newPage();
  const problems = watchPage(page);
  await page.goto(server.baseURL + `${BASE}/accedi`);
  await page.fill('#login', LOGIN);
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);
  assert.equal(new URL(page.url()).pathname, `${BASE}/`);

  await Promise.all([page.waitForNavigation(), page.click(`a[href="${BASE}/pasti"]`)]);
  assert.equal(await page.locator('h1').innerText(), t('Meal bookings'));
  assert.ok(await page.locator('#cutoff-rule').innerText());
  await checkPage(page, 'meal calendar');

  const day = await bookedDay(page);
  if (!day) {
    ctx.skip('no school day left to change in the next months');
    return;
  }

  // A form sent without its day: the message sits next to the field.
  await Promise.all([page.waitForNavigation(), page.click('#cancel-form button[type="submit"]')]);
  assert.equal(await page.locator('#cancel_from').getAttribute('aria-invalid'), 'true');
  assert.ok(await page.locator('#cancel_from-error').isVisible());
  await checkPage(page, 'meal calendar with an error', { validate: false });

  // Cancel one day.
  await page.fill('#cancel_from', day);
  await Promise.all([page.waitForNavigation(), page.click('#cancel-form button[type="submit"]')]);
  assert.match(new URL(page.url()).pathname, new RegExp(`^${BASE}/pasti/ricevute/\\d{4}-\\d{7}$`));
  const first = (await page.locator('dd.rf-code').first().innerText()).trim();
  assert.match(first, RECEIPT);
  await checkPage(page, 'receipt');
  await Promise.all([page.waitForNavigation(), page.click('a.btn-primary[href*="/pasti?"]')]);
  assert.equal(await stateOf(page, day), 'cancelled');
  assert.match(await page.locator(`#meal-calendar td[data-day="${day}"]`).innerText(),
    new RegExp(t('Meal cancelled')));

  // A week away: from the next booked day, back at school seven days later.
  const from = await bookedDay(page, day);
  assert.ok(from, 'a second school day to start the absence');
  const back = addDays(from, 7);
  await page.fill('#absence_from', from);
  await page.fill('#absence_resume', back);
  await Promise.all([page.waitForNavigation(), page.click('#absence-form button[type="submit"]')]);
  const second = (await page.locator('dd.rf-code').first().innerText()).trim();
  assert.match(second, RECEIPT);
  assert.notEqual(second, first);
  await checkPage(page, 'absence receipt');
  await Promise.all([page.waitForNavigation(), page.click('a.btn-primary[href*="/pasti?"]')]);
  for (let d = from; d < back; d = addDays(d, 1)) {
    const state = await page.locator(`#meal-calendar td[data-day="${d}"]`).count()
      ? await stateOf(page, d) : null;
    if (state && state !== 'no-service') assert.equal(state, 'cancelled', `${d} in the absence`);
  }
  assert.equal(await stateOf(page, from), 'cancelled');
  await checkPage(page, 'meal calendar after the changes');

  // Both receipts in the list.
  await Promise.all([page.waitForNavigation(), page.click(`a[href="${BASE}/pasti/ricevute"]`)]);
  const list = await page.locator('table').innerText();
  assert.ok(list.includes(first) && list.includes(second), list);
  await checkPage(page, 'receipts');
  assert.deepEqual(problems, []);
}
