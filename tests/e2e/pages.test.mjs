// Every page of the foundation, each checked the same way: status, <title> and the one <h1>,
// axe-core at WCAG 2.1 AA with zero violations, the server's HTML through html-validate, no
// horizontal scroll on a 360x640 phone, skip links that lead somewhere, and no CSP violation
// or script error. Run: node --test --test-reporter=tap tests/e2e/

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, DEMO, SUPERADMIN } from './server.mjs';
import {
  launch, runAxe, formatViolations, validateHtml, hasHorizontalScroll, overflowingElements,
  skipLinkTargets, watchPage, PHONE, t,
} from './lib.mjs';

const DESKTOP = { width: 1280, height: 900 };
const LOGIN = `/${DEMO.tenantSlug}/ufficio/accedi`;
const PLATFORM_LOGIN = '/piattaforma/accedi';

let server;
let browser;
let anon; // a context without a session
let staffBrowser;
let staff; // a context signed in as the demo staff user
let platformBrowser;
let platform; // a context signed in as a platform super-admin (PAGES entries with platform: true)

async function signIn(page, base, email, password, login = LOGIN) {
  await page.goto(base + login);
  await page.fill('#email', email);
  await page.fill('#password', password);
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.click('form.rf-form button[type="submit"]'),
  ]);
  return response;
}

// What each page needs: how to reach it, and what it must show.
const PAGES = [
  {
    name: 'platform home',
    open: (page, base) => page.goto(base + '/'),
    status: 200,
    title: () => t('School meal service'),
    h1: () => t('Choose your municipality'),
  },
  {
    name: 'tenant home',
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/`),
    status: 200,
    title: () => `${t('School meal service')} - ${DEMO.tenantName}`,
    h1: () => DEMO.tenantName,
  },
  {
    name: 'staff sign-in',
    open: (page, base) => page.goto(base + LOGIN),
    status: 200,
    title: () => `${t('Staff sign-in')} - ${DEMO.tenantName}`,
    h1: () => t('Staff sign-in'),
  },
  {
    name: 'staff sign-in with errors',
    open: (page, base) => signIn(page, base, DEMO.email, 'not-the-password'),
    status: 422,
    title: () => `${t('Staff sign-in')} - ${DEMO.tenantName}`,
    h1: () => t('Staff sign-in'),
  },
  {
    name: 'back-office home',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/`),
    status: 200,
    title: () => `${t('Back office')} - ${DEMO.tenantName}`,
    h1: () => t('Back office'),
  },
  {
    name: 'office e-mail outbox',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/posta`),
    status: 200,
    title: () => `${t('E-mail sent to families')} - ${DEMO.tenantName}`,
    h1: () => t('E-mail sent to families'),
  },
  {
    name: 'office locked sign-ins',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/blocchi`),
    status: 200,
    title: () => `${t('Locked sign-ins')} - ${DEMO.tenantName}`,
    h1: () => t('Locked sign-ins'),
  },
  {
    name: 'office payments',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/pagamenti`),
    status: 200,
    title: () => `${t('Payments')} - ${DEMO.tenantName}`,
    h1: () => t('Payments'),
  },
  {
    name: 'office payment settings',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/pagamenti/impostazioni`),
    status: 200,
    title: () => `${t('Payment settings')} - ${DEMO.tenantName}`,
    h1: () => t('Payment settings'),
  },
  {
    name: 'office tariffs',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/tariffe`),
    status: 200,
    title: () => `${t('Tariffs')} - ${DEMO.tenantName}`,
    h1: () => t('Tariffs'),
  },
  {
    name: 'office debtors',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/debitori`),
    status: 200,
    title: () => `${t('Debtors')} - ${DEMO.tenantName}`,
    h1: () => t('Debtors'),
  },
  {
    name: 'office family account',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/famiglie/1/conto`),
    status: 200,
    title: () => `${t('Family account')}: Mario Rossi - ${DEMO.tenantName}`,
    h1: () => 'Mario Rossi',
  },
  {
    name: 'office opening balances',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/saldi-iniziali`),
    status: 200,
    title: () => `${t('Opening balances')} - ${DEMO.tenantName}`,
    h1: () => t('Opening balances'),
  },
  {
    name: 'office calendars',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/calendari`),
    status: 200,
    title: () => `${t('Calendars')} - ${DEMO.tenantName}`,
    h1: () => t('Calendars'),
  },
  {
    name: 'office school calendar, December',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/calendari/2/1?mese=2026-12`),
    status: 200,
    title: () => `${t('Calendars')}: Scuola primaria Maria Montessori - ${DEMO.tenantName}`,
    h1: () => 'Scuola primaria Maria Montessori',
  },
  {
    name: 'office meals',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/pasti`),
    status: 200,
    title: () => `${t('Meals')} - ${DEMO.tenantName}`,
    h1: () => t('Meals'),
  },
  {
    name: 'office meal settings',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/impostazioni-pasti`),
    status: 200,
    title: () => `${t('Meal settings')} - ${DEMO.tenantName}`,
    h1: () => t('Meal settings'),
  },
  {
    name: 'kitchen sheet',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/cucina`),
    status: 200,
    title: () => `${t('Kitchen sheet')} - ${DEMO.tenantName}`,
    h1: () => t('Kitchen sheet'),
  },
  {
    name: 'staff profile',
    staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/profilo`),
    status: 200,
    title: () => `${t('My profile')} - ${DEMO.tenantName}`,
    h1: () => t('My profile'),
  },
  {
    name: 'family sign-in',
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/famiglie/accedi`),
    status: 200,
    title: () => `${t('Family sign-in')} - ${DEMO.tenantName}`,
    h1: () => t('Family sign-in'),
  },
  {
    name: 'family forgotten password',
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/famiglie/password-dimenticata`),
    status: 200,
    title: () => `${t('Forgotten password')} - ${DEMO.tenantName}`,
    h1: () => t('Forgotten password'),
  },
  {
    name: 'expired reset link',
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/famiglie/reimposta?token=x`),
    status: 410,
    title: () => `${t('Choose a new password')} - ${DEMO.tenantName}`,
    h1: () => t('Choose a new password'),
  },
  {
    name: '404 page',
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/pagina-che-non-esiste`),
    status: 404,
    title: () => `${t('Page not found')} - ${DEMO.tenantName}`,
    h1: () => t('Page not found'),
  },
  {
    name: 'unknown tenant 404 page',
    open: (page, base) => page.goto(`${base}/comune-che-non-esiste/`),
    status: 404,
    title: () => t('Page not found'),
    h1: () => t('Page not found'),
  },
  ...[
    ['privacy notice', 'privacy', 'Privacy policy'],
    ['accessibility statement', 'accessibilita', 'Accessibility statement'],
    ['legal notes', 'note-legali', 'Legal notes'],
  ].map(([name, slug, msgid]) => ({
    name,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/${slug}`),
    status: 200,
    title: () => `${t(msgid)} - ${DEMO.tenantName}`,
    h1: () => t(msgid),
  })),
  {
    name: 'platform sign-in',
    open: (page, base) => page.goto(base + PLATFORM_LOGIN),
    status: 200,
    title: () => t('Platform sign-in'),
    h1: () => t('Platform sign-in'),
  },
  {
    name: 'platform sign-in with errors',
    open: (page, base) => signIn(page, base, SUPERADMIN.email, 'not-the-password', PLATFORM_LOGIN),
    status: 422,
    title: () => t('Platform sign-in'),
    h1: () => t('Platform sign-in'),
  },
  {
    name: 'platform administration',
    platform: true,
    open: (page, base) => page.goto(base + '/piattaforma/'),
    status: 200,
    title: () => t('Platform administration'),
    h1: () => t('Platform administration'),
  },
  {
    name: 'new municipality',
    platform: true,
    open: (page, base) => page.goto(base + '/piattaforma/comuni/nuovo'),
    status: 200,
    title: () => t('New municipality'),
    h1: () => t('New municipality'),
  },
  {
    name: 'new municipality with errors',
    platform: true,
    open: async (page, base) => {
      await page.goto(base + '/piattaforma/comuni/nuovo');
      await page.fill('#name', 'Comune di Prova');
      await page.fill('#slug', '-prova');
      await page.fill('#fiscal_code', '01234567890');
      await page.fill('#admin_name', 'Anna Rossi');
      await page.fill('#admin_email', 'anna.rossi@comune.prova.it');
      const [response] = await Promise.all([
        page.waitForNavigation(),
        page.click('form.rf-form button[type="submit"]'),
      ]);
      return response;
    },
    status: 422,
    title: () => t('New municipality'),
    h1: () => t('New municipality'),
  },
  {
    name: 'tenant home in English',
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/?lang=en`),
    status: 200,
    lang: 'en',
    title: () => `${t('School meal service', 'en')} - ${DEMO.tenantName}`,
    h1: () => DEMO.tenantName,
  },
  { name: 'office enrollment campaigns', staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/campagne`), status: 200,
    title: () => `${t('Enrollment campaigns')} - ${DEMO.tenantName}`, h1: () => t('Enrollment campaigns') },
  { name: 'new enrollment campaign', staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/campagne/nuova`), status: 200,
    title: () => `${t('New campaign')} - ${DEMO.tenantName}`, h1: () => t('New campaign') },
  { name: 'enrollment campaign', staff: true,
    open: async (page, base) => { await page.goto(`${base}/${DEMO.tenantSlug}/ufficio/campagne`);
      return page.goto(base + await page.getAttribute('table tbody a', 'href')); }, status: 200,
    title: () => `Iscrizioni e rinnovi 2027/2028 - ${DEMO.tenantName}`, h1: () => 'Iscrizioni e rinnovi 2027/2028' },
  { name: 'ISEE bands', staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/campagne/fasce-isee`), status: 200,
    title: () => `${t('ISEE bands')} - ${DEMO.tenantName}`, h1: () => t('ISEE bands') },
  { name: 'office enrollments', staff: true,
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/ufficio/iscrizioni`), status: 200,
    title: () => `${t('Enrollments')} - ${DEMO.tenantName}`, h1: () => t('Enrollments') },
  { name: 'office enrollment detail', staff: true,
    open: async (page, base) => {
      await page.goto(`${base}/${DEMO.tenantSlug}/ufficio/iscrizioni?campagna=0&q=RSSGLI18E62H501A`);
      const [response] = await Promise.all([page.waitForNavigation(), page.click('table tbody th a')]);
      return response;
    },
    status: 200,
    title: () => `${t('Enrollment')}: Giulia Rossi - ${DEMO.tenantName}`, h1: () => 'Giulia Rossi' },
  { name: 'enrollment campaigns (families)',
    open: (page, base) => page.goto(`${base}/${DEMO.tenantSlug}/iscrizioni`), status: 200,
    title: () => `${t('Enrollments')} - ${DEMO.tenantName}`, h1: () => t('Enrollments') },
];

before(async () => {
  server = await startServer();
  browser = await launch();
  anon = browser.context;
  staffBrowser = await launch();
  staff = staffBrowser.context;
  const page = await staff.newPage();
  const res = await signIn(page, server.baseURL, DEMO.email, DEMO.password);
  assert.equal(new URL(res.url()).pathname, `/${DEMO.tenantSlug}/ufficio/`, 'demo staff sign-in');
  await page.close();

  const made = runCli(['admin', 'superadmin-create', '--db', server.dbPath, '--email',
    SUPERADMIN.email, '--name', SUPERADMIN.name], `${SUPERADMIN.password}\n`);
  assert.equal(made.status, 0, `superadmin-create: ${made.output}`);
  platformBrowser = await launch();
  platform = platformBrowser.context;
  const ppage = await platform.newPage();
  const pres = await signIn(ppage, server.baseURL, SUPERADMIN.email, SUPERADMIN.password,
    PLATFORM_LOGIN);
  assert.equal(new URL(pres.url()).pathname, '/piattaforma/', 'super-admin sign-in');
  await ppage.close();
});

after(async () => {
  if (platformBrowser) await platformBrowser.close();
  if (staffBrowser) await staffBrowser.close();
  if (browser) await browser.close();
  if (server) await server.stop();
});

// Opens the page in a fresh tab of the right context; returns { page, response, html, problems }.
async function visit(spec, viewport = DESKTOP) {
  const context = spec.staff ? staff : spec.platform ? platform : anon;
  if (context === anon) await anon.clearCookies(); // no language choice or session carried over
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const problems = watchPage(page);
  const response = await spec.open(page, server.baseURL);
  const html = await response.text();
  return { page, response, html, problems };
}

for (const spec of PAGES) {
  const lang = spec.lang || 'it';

  test(`${spec.name}: status, language, title and h1`, async () => {
    const { page, response, problems } = await visit(spec);
    try {
      assert.equal(response.status(), spec.status);
      assert.equal(await page.getAttribute('html', 'lang'), lang);
      assert.equal(await page.title(), spec.title());
      const h1 = await page.locator('h1').allInnerTexts();
      assert.deepEqual(h1.map((s) => s.trim()), [spec.h1()], 'exactly one h1 with the expected text');
      assert.equal(await page.locator('main#main-content').count(), 1, 'one main landmark');
      assert.deepEqual(problems, []);
    } finally {
      await page.close();
    }
  });

  test(`${spec.name}: axe-core finds no WCAG 2.1 AA violation`, async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      const { page } = await visit(spec, viewport);
      try {
        const violations = await runAxe(page);
        assert.equal(violations.length, 0,
          `at ${viewport.width}x${viewport.height}:\n${formatViolations(violations)}`);
      } finally {
        await page.close();
      }
    }
  });

  test(`${spec.name}: the HTML passes html-validate`, async () => {
    const { page, html } = await visit(spec);
    await page.close();
    const errors = await validateHtml(html, spec.name);
    assert.deepEqual(errors, []);
  });

  test(`${spec.name}: no horizontal scroll on a 360x640 phone`, async () => {
    const { page } = await visit(spec, PHONE);
    try {
      const scroll = await hasHorizontalScroll(page);
      assert.equal(scroll, false, `wider than the screen: ${(await overflowingElements(page)).join(', ')}`);
    } finally {
      await page.close();
    }
  });

  test(`${spec.name}: skip links lead to existing targets`, async () => {
    const { page } = await visit(spec);
    try {
      const links = await skipLinkTargets(page);
      assert.deepEqual(links.map((l) => l.href), ['#main-content', '#footer']);
      for (const l of links) assert.ok(l.exists, `${l.href} has no target`);
      // The first Tab stop is the first skip link, and it becomes visible when focused.
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const a = document.activeElement;
        const r = a.getBoundingClientRect();
        return { href: a.getAttribute('href'), width: r.width, height: r.height };
      });
      assert.equal(focused.href, '#main-content');
      assert.ok(focused.width > 10 && focused.height > 10, 'the focused skip link is visible');
    } finally {
      await page.close();
    }
  });
}
