// Shared helpers for the browser tests: Debian's chromium through playwright-core, axe-core at
// WCAG 2.1 AA, and html-validate with the committed configuration.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { HtmlValidate } from 'html-validate';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const PHONE = { width: 360, height: 640 };

// A persistent context is the only way to hand chromium its own --user-data-dir; one fresh
// temporary profile per context keeps runs independent. Returns { context, close }.
export async function launch(options = {}) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'refettorio-e2e-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = fs.readFileSync(path.join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');

// Runs axe in the page. The page's CSP forbids inline script, so axe's source goes in through
// the DevTools protocol (page.evaluate with a string), which CSP does not govern.
export async function runAxe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) {
    await page.evaluate(axeSource);
  }
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags } });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')} :: ${n.failureSummary}`),
    }));
  }, AXE_TAGS);
}

export function formatViolations(violations) {
  return violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
}

// html-validate configuration: tests/e2e/htmlvalidate.json. It may carry whole-line `//`
// comments (each relaxed rule says why); they are stripped before JSON.parse.
function loadValidatorConfig() {
  const text = fs.readFileSync(path.join(here, 'htmlvalidate.json'), 'utf8');
  const json = text.split('\n').filter((l) => !/^\s*\/\//.test(l)).join('\n');
  return JSON.parse(json);
}
const validator = new HtmlValidate(loadValidatorConfig());

// Validates one HTML document; returns a list of error strings (empty when valid).
export async function validateHtml(html, name = 'page') {
  const report = await validator.validateString(html, name);
  const out = [];
  for (const r of report.results) {
    for (const m of r.messages) {
      if (m.severity >= 2) out.push(`${name}:${m.line}:${m.column} ${m.ruleId}: ${m.message}`);
    }
  }
  return out;
}

// True when the document is wider than the viewport (horizontal scroll).
export async function hasHorizontalScroll(page) {
  return page.evaluate(() => {
    const d = document.documentElement;
    return d.scrollWidth > d.clientWidth + 1;
  });
}

// Elements wider than the viewport, for a useful failure message.
export async function overflowingElements(page) {
  return page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.right > w + 1 && r.width > 0) {
        out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} right=${Math.round(r.right)}`);
      }
      if (out.length >= 10) break;
    }
    return out;
  });
}

// Every in-page link of the skip-link block points to an element that exists.
export async function skipLinkTargets(page) {
  return page.evaluate(() => [...document.querySelectorAll('.skiplinks a[href^="#"]')].map((a) => {
    const id = a.getAttribute('href').slice(1);
    return { href: a.getAttribute('href'), exists: !!document.getElementById(id) };
  }));
}

// Collects Content-Security-Policy violations and uncaught errors reported by the page.
export function watchPage(page) {
  const problems = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    const text = m.text();
    if (m.type() !== 'error' || !/Content Security Policy|Refused to/i.test(text)) return;
    // Bootstrap Italia's CSS embeds video.js's icon font as a data: URL; whether font-src
    // allows data: is the server's choice, and no page of ours uses that font.
    if (/Loading the font 'data:/.test(text)) return;
    problems.push(`csp: ${text.slice(0, 300)}`);
  });
  return problems;
}

// The text a page shows for an English msgid in `lang`: the msgstr from po/<lang>.po, or the
// msgid itself when the catalogue has no translation (which is what the server shows too).
// Placeholders {name} are filled from `values`.
const catalogs = new Map();
function catalog(lang) {
  if (!catalogs.has(lang)) {
    const map = new Map();
    const file = path.join(root, 'po', `${lang}.po`);
    if (lang !== 'en' && fs.existsSync(file)) {
      let key = null;
      let cur = null;
      let id = '';
      let str = '';
      const flush = () => { if (id && str) map.set(id, str); id = ''; str = ''; };
      for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
        let m;
        if ((m = line.match(/^msgid\s+"(.*)"\s*$/))) { flush(); key = 'id'; cur = m[1]; id = JSON.parse(`"${cur}"`); }
        else if ((m = line.match(/^msgstr\s+"(.*)"\s*$/))) { key = 'str'; str = JSON.parse(`"${m[1]}"`); }
        else if ((m = line.match(/^"(.*)"\s*$/)) && key) {
          const part = JSON.parse(`"${m[1]}"`);
          if (key === 'id') id += part; else str += part;
        } else if (!line.trim()) { flush(); key = null; }
      }
      flush();
    }
    catalogs.set(lang, map);
  }
  return catalogs.get(lang);
}
export function t(msgid, lang = 'it', values = {}) {
  const s = catalog(lang).get(msgid) || msgid;
  return s.replace(/\{([a-z_.]+)\}/g, (all, k) => (k in values ? values[k] : all));
}
