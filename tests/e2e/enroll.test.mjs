// A new family enrolls a child in the browser, at desktop and phone width: the campaigns page,
// "I am a new pupil" with the codice fiscale, the e-mail code (read back from the outbox), the
// six steps with a wrong value first (message next to the field, the value kept), "save draft",
// the summary, "submit", and the status page with the documents. Every page is checked with
// axe-core (WCAG 2.1 AA), html-validate and for horizontal scrolling.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, runCli, DEMO } from './server.mjs';
import {
  launch, watchPage, runAxe, formatViolations, validateHtml, hasHorizontalScroll, PHONE, t,
} from './lib.mjs';

const T = `/${DEMO.tenantSlug}`;
let server;

before(async () => { server = await startServer(); });
after(async () => { if (server) await server.stop(); });

function sql(query) {
  return execFileSync('sqlite3', ['-readonly', server.dbPath, query], { encoding: 'utf8' }).trim();
}

async function checkPage(page, name) {
  const violations = await runAxe(page);
  assert.deepEqual(violations, [], `${name}: axe violations\n${formatViolations(violations)}`);
  const cookies = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const html = await (await fetch(page.url(), { headers: { cookie: cookies } })).text();
  const errors = await validateHtml(html, name);
  assert.deepEqual(errors, [], `${name}: invalid HTML\n${errors.join('\n')}`);
  assert.equal(await hasHorizontalScroll(page), false, `${name}: horizontal scroll`);
}

// Bootstrap Italia draws radios and checkboxes on the label: click it as a person does.
async function tick(page, id) {
  await page.click(`label[for="${id}"]`);
  assert.equal(await page.isChecked(`#${id}`), true);
}

async function submit(page, selector = 'form.rf-form button[value="next"]') {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}

// Two children of two different new families (one per viewport), computed with the CLI.
const CHILDREN = [
  { name: 'Nadia', surname: 'Fontana', birth: '2021-06-18', sex: 'F', place: 'H501', parent: 'FNTLRT80A01H501X', parentName: 'Alberto', email: 'alberto.fontana@example.it' },
  { name: 'Pietro', surname: 'Caruso', birth: '2022-02-03', sex: 'M', place: 'F205', parent: 'CRSMRA85M41F205X', parentName: 'Mara', email: 'mara.caruso@example.it' },
];

function cf(person) {
  const res = runCli(['check', 'cf', '--surname', person.surname, '--name', person.name,
    '--birth', person.birth, '--sex', person.sex, '--place', person.place]);
  return res.output.match(/[A-Z0-9]{16}/)[0];
}

[{ width: 1280, height: 900 }, PHONE].forEach((viewport, i) => {
  test(`a new family enrolls a child (${viewport.width}px)`, async () => {
    const child = CHILDREN[i];
    const pupilCf = cf(child);
    const parentCf = cf({ surname: child.surname, name: child.parentName, birth: i ? '1985-08-01' : '1980-01-01', sex: i ? 'F' : 'M', place: child.place });
    const browser = await launch({ viewport });
    const page = await browser.context.newPage();
    const problems = watchPage(page);

    await page.goto(server.baseURL + `${T}/iscrizioni`);
    await checkPage(page, 'campaigns');
    await page.click(`a[href="${T}/iscrizioni/2/nuova"]`);
    await checkPage(page, 'new enrollment');
    await page.fill('#fiscal_code', pupilCf.toLowerCase());
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);

    await checkPage(page, 'e-mail');
    await page.fill('#email', child.email);
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);
    const body = sql(`SELECT body_text FROM mail_outbox WHERE recipient = '${child.email}' ORDER BY id DESC LIMIT 1`);
    await page.fill('#code', body.match(/(?<!\d)\d{6}(?!\d)/)[0]);
    await Promise.all([page.waitForNavigation(), page.click('form.rf-form button[type="submit"]')]);

    // Step 1, with a wrong surname first.
    assert.match(new URL(page.url()).pathname, /\/passo\/1$/, await page.locator('h1').innerText());
    await checkPage(page, 'step pupil');
    await page.fill('#name', child.name);
    await page.fill('#surname', 'Sbagliato');
    await page.fill('#birth_date', child.birth);
    await tick(page, `sex-${child.sex.toLowerCase()}`);
    await page.fill('#birth_place', child.place === 'H501' ? 'Roma' : 'Milano');
    await submit(page);
    assert.equal(await page.getAttribute('#surname', 'aria-invalid'), 'true');
    assert.equal(await page.inputValue('#name'), child.name);
    await checkPage(page, 'step pupil with an error');
    await page.fill('#surname', child.surname);
    await submit(page);

    // Step 2, then "save draft": the account is created.
    await checkPage(page, 'step parent');
    await page.fill('#fiscal_code', parentCf);
    await page.fill('#name', child.parentName);
    await page.fill('#surname', child.surname);
    await page.fill('#mobile', '333 765 4321');
    await page.fill('#address', 'Via dei Tigli 9, 00100 Esempio');
    await tick(page, 'resident-yes');
    await tick(page, 'privacy');
    await submit(page, 'form.rf-form button[value="draft"]');
    assert.ok((await page.locator('[role="status"]').first().innerText()).length > 0);
    await checkPage(page, 'draft saved');
    assert.equal(sql(`SELECT status FROM enrollment WHERE pupil_fiscal_code = '${pupilCf}'`), 'draft');
    await page.click('a.btn-primary[href*="/passo/3"]');

    // Step 3 to 6.
    await checkPage(page, 'step school');
    await page.selectOption('#class_id', { index: 1 });
    await submit(page);
    await checkPage(page, 'step diet');
    await tick(page, 'diet-ethical');
    await page.fill('#diet_notes', 'Senza carne di maiale');
    await submit(page);
    await checkPage(page, 'step payment');
    await tick(page, 'pay-prepaid');
    await submit(page);
    await checkPage(page, 'step declarations');
    for (const box of await page.locator('input[name^="decl_"]').all()) await tick(page, await box.getAttribute('id'));
    await submit(page);

    assert.match(new URL(page.url()).pathname, /\/riepilogo$/);
    await checkPage(page, 'summary');
    assert.ok(await page.getByText('Senza carne di maiale').isVisible());
    await Promise.all([page.waitForNavigation(), page.click(`button:has-text("${t('Submit enrollment')}")`)]);
    await checkPage(page, 'status');
    assert.ok((await page.locator('.rf-status').innerText()).includes(t('Submitted')));
    const pdf = await page.request.get(server.baseURL + await page.getAttribute('a[href$="lettera-credenziali.pdf"]', 'href'));
    assert.equal(pdf.status(), 200);
    assert.equal((await pdf.body()).subarray(0, 5).toString(), '%PDF-');
    assert.equal(sql(`SELECT status FROM enrollment WHERE pupil_fiscal_code = '${pupilCf}'`), 'submitted');
    assert.deepEqual(problems, []);
    await browser.close();
  });
});
