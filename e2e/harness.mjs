// What the browser runs share (lifecycle.mjs, agenda.mjs, axe.mjs): the message catalogue,
// the `infohus` command line, a real `infohus serve` on a throwaway data dir, headless Debian
// Chromium through playwright-core, the `Walk` of numbered steps with a full-page screenshot
// each, and `run`, which bounds a whole run in time and always stops what it started.
//
// Environment: INFOHUS_BIN (default target/debug/infohus), CHROMIUM (default
// /usr/bin/chromium), E2E_SCREENSHOTS (default target/e2e), E2E_TIMEOUT_SECONDS (default 300
// per script), E2E_STRICT_PAGES (1: the page checks' findings fail the run).

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = path.resolve(process.env.INFOHUS_BIN || path.join(ROOT, 'target/debug/infohus'));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const SHOTS = path.resolve(process.env.E2E_SCREENSHOTS || path.join(ROOT, 'target/e2e'));
export const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_SECONDS || 300) * 1000;
export const STEP_TIMEOUT_MS = 15_000;
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---- the message catalogue ----------------------------------------------------------------

/** crates/web/messages/da.txt parsed as the server parses it (`key = text`, `#` comments). */
function loadCatalogue(file) {
  const messages = new Map();
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf(' = ');
    if (at > 0) messages.set(line.slice(0, at).trim(), line.slice(at + 3).trim());
  }
  return messages;
}

export const CATALOGUE = loadCatalogue(path.join(ROOT, 'crates/web/messages/da.txt'));

/** A Danish message with `{name}` placeholders filled in; a missing key is a failure. */
export function t(key, args = {}) {
  const text = CATALOGUE.get(key);
  if (text === undefined) throw new Error(`da.txt has no message "${key}" (the pages changed?)`);
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? String(args[name]) : whole));
}

// ---- dates as the server sees them (Copenhagen) -----------------------------------------

function copenhagenToday() {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: 'Europe/Copenhagen',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(new Date());
  const get = (type) => Number(parts.find((p) => p.type === type).value);
  return new Date(Date.UTC(get('year'), get('month') - 1, get('day')));
}
export const TODAY = copenhagenToday();
export const daysFrom = (days) => new Date(TODAY.getTime() + days * 86_400_000);
export const iso = (d) => d.toISOString().slice(0, 10);
export const danish = (d) => `${iso(d).slice(8, 10)}.${iso(d).slice(5, 7)}.${iso(d).slice(0, 4)}`;

// ---- the server --------------------------------------------------------------------------

/** Runs `infohus ARGS` to its end (60 s at most); its standard output, or an error. */
export function cli(args, input) {
  const result = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`infohus ${args.slice(0, 2).join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`infohus ${args.slice(0, 2).join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

/** Adds agencies ({code, name, kind}) and users ({username, name, agency, role}) with one password. */
export function addAccounts(dataDir, agencies, users, password) {
  for (const a of agencies) {
    cli(['agency', 'add', '--data-dir', dataDir, '--code', a.code, '--name', a.name, '--kind', a.kind]);
  }
  for (const u of users) {
    cli(
      ['user', 'add', '--data-dir', dataDir, '--username', u.username, '--agency', u.agency, '--role', u.role,
        '--display-name', u.name, '--password-stdin'],
      `${password}\n`,
    );
  }
}

/** Starts `infohus serve` on a free port; resolves with its base URL once /healthz answers. */
export async function startServer(dataDir, state) {
  const child = spawn(BIN, ['serve', '--data-dir', dataDir, '--bind', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, INFOHUS_LOG: process.env.INFOHUS_LOG || 'warn' },
  });
  state.server = child;
  child.stderr.on('data', (chunk) => {
    state.serverLog = (state.serverLog + chunk.toString()).slice(-20_000);
  });
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('infohus serve did not print "listening on" within 60 s')), 60_000);
    child.on('error', (e) => reject(new Error(`cannot start ${BIN}: ${e.message}`)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`infohus serve exited (${code ?? signal}) before listening:\n${state.serverLog}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = line.match(/listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
  });
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5_000) });
      if (response.ok) return base;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${base}/healthz did not answer 200 within 30 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

// ---- the browser -------------------------------------------------------------------------

/** A fresh headless Chromium profile in `dir`, Danish and in Copenhagen time. */
export async function launch(state, dir, options = {}) {
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    locale: 'da-DK',
    timezoneId: 'Europe/Copenhagen',
    viewport: { width: 1280, height: 900 },
    ...options,
  });
  state.browsers.push(context);
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const page = context.pages()[0] || (await context.newPage());
  return { context, page };
}

// ---- page helpers ------------------------------------------------------------------------

export const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A label that starts with `text` (required fields add " (skal udfyldes)"). */
export const labelled = (scope, text) => scope.getByLabel(new RegExp(`^\\s*${escapeRe(text)}`));

export function slug(name) {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** An opaque id in a path made generic, so that findings group by page. */
export const pageOf = (url) =>
  new URL(url).pathname.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}(?=\/|$)/gi, '/{id}').replace(/\/[A-Za-z0-9_-]{20,64}(?=\/|$)/g, '/{id}');

/**
 * Numbered steps through the web UI with a full-page screenshot of each in `shots`, and
 * checks on every page reached (labels, aria references, ids, one <h1>, lang, raw keys).
 */
export class Walk {
  constructor(page, base, { shots = SHOTS, password } = {}) {
    this.page = page;
    this.base = base;
    this.shotsDir = shots;
    this.password = password;
    this.steps = 0;
    this.shots = [];
    this.status = 0; // HTTP status of the last document
    this.badResources = [];
    this.findings = new Map(); // accessibility and wording findings, by text
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) {
        this.status = response.status();
      } else if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) {
        this.badResources.push(`${response.status()} ${response.url()}`);
      }
    });
    // Anything the strict Content-Security-Policy refused (an inline style or script).
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) {
        this.badResources.push(`refused by the CSP on ${pageOf(page.url())}: ${message.text().slice(0, 200)}`);
      }
    });
  }

  async step(name, body) {
    this.steps += 1;
    const number = String(this.steps).padStart(2, '0');
    this.current = `${number}. ${name}`;
    const started = Date.now();
    await body();
    await this.checkPage();
    const file = path.join(this.shotsDir, `${number}-${slug(name)}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    this.shots.push(file);
    console.log(`  ok ${this.current} (${Date.now() - started} ms)`);
  }

  async goto(pathname, ...codes) {
    await this.page.goto(`${this.base}${pathname}`);
    this.expectStatus(...(codes.length ? codes : [200]));
    await this.checkPage();
  }

  expectStatus(...codes) {
    if (!codes.includes(this.status)) {
      throw new Error(`expected HTTP ${codes.join(' or ')} for ${this.page.url()}, got ${this.status}`);
    }
  }

  /** Clicks `button` and waits for the page it leads to (a URL matching `url`). */
  async submit(button, url, ...codes) {
    const arrived = this.page.waitForURL(url, { waitUntil: 'load' });
    arrived.catch(() => {}); // a failing click is the error to report
    await button.click();
    try {
      await arrived;
    } catch {
      throw new Error(`the click did not lead to ${url} (still at ${this.page.url()}, HTTP ${this.status})`);
    }
    this.expectStatus(...(codes.length ? codes : [200]));
    await this.checkPage();
  }

  async visible(locator, what) {
    try {
      await locator.first().waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    } catch {
      throw new Error(`not shown on ${this.page.url()}: ${what}`);
    }
  }

  async absent(locator, what) {
    if ((await locator.count()) > 0) throw new Error(`shown on ${this.page.url()} but should not be: ${what}`);
  }

  h1(text) {
    return this.visible(this.page.getByRole('heading', { level: 1, name: text }), `heading "${text}"`);
  }

  text(text, scope = this.page) {
    return this.visible(scope.getByText(text, { exact: true }), `"${text}"`);
  }

  /** The success notice a page shows after a redirect. */
  notice(text) {
    return this.visible(this.page.locator('.alert-success').getByText(text, { exact: true }), `notice "${text}"`);
  }

  form(name) {
    return this.page.getByRole('form', { name });
  }

  region(name) {
    // The section and its scrollable table wrapper may share a name: take the outer one.
    return this.page.getByRole('region', { name, exact: true }).first();
  }

  /** Logs in as `user` ({username, name, role}, and `password` unless the walk has one). */
  async login(user) {
    await this.goto('/');
    await this.page.waitForURL(/\/log-ind/);
    await this.h1(t('login.title'));
    await labelled(this.page, t('login.username')).fill(user.username);
    await labelled(this.page, t('login.password')).fill(user.password ?? this.password);
    await this.submit(this.page.getByRole('button', { name: t('login.submit'), exact: true }), (u) => !u.pathname.startsWith('/log-ind'));
    await this.text(`${t('layout.logged_in_as')} ${user.name}, ${t(`role.${user.role}`)}`);
  }

  async logout() {
    await this.submit(this.page.getByRole('button', { name: t('layout.logout'), exact: true }), /\/log-ind\?status=logget-ud/);
    await this.notice(t('login.logged_out'));
    await this.absent(this.page.getByRole('button', { name: t('layout.logout'), exact: true }), 'the log-off button');
  }

  /** Checks on every page reached: labels tied to controls, ids unique, Danish, no raw catalogue keys. */
  async checkPage() {
    const found = await this.page.evaluate((groups) => {
      const out = [];
      if (document.documentElement.lang !== 'da') out.push('<html lang> is not "da"');
      const h1s = document.querySelectorAll('h1').length;
      if (h1s !== 1) out.push(`${h1s} <h1> elements`);
      for (const el of document.querySelectorAll('input, select, textarea')) {
        if (['hidden', 'submit', 'button', 'reset'].includes(el.type)) continue;
        const what = `${el.tagName.toLowerCase()} name="${el.name}"`;
        if (!(el.labels && el.labels.length) && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) {
          out.push(`${what} has no label`);
        }
      }
      for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
        for (const attr of ['aria-describedby', 'aria-labelledby']) {
          for (const id of (el.getAttribute(attr) || '').split(/\s+/).filter(Boolean)) {
            if (!document.getElementById(id)) out.push(`${attr}="${id}" points at no element`);
          }
        }
      }
      for (const label of document.querySelectorAll('label[for]')) {
        if (!document.getElementById(label.htmlFor)) out.push(`<label for="${label.htmlFor}"> points at no element`);
      }
      const ids = new Map();
      for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
      for (const [id, n] of ids) if (n > 1) out.push(`id "${id}" used ${n} times`);
      // Badges carry status words: their text must meet WCAG AA contrast (4.5:1).
      const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
      const lum = ([r, g, b]) => {
        const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
        return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
      };
      for (const badge of document.querySelectorAll('.badge')) {
        const style = getComputedStyle(badge);
        const bg = rgb(style.backgroundColor);
        if (bg.length < 3 || bg[3] === 0 || !badge.innerText.trim()) continue;
        const [a, b] = [lum(rgb(style.color)), lum(bg)];
        const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
        if (ratio < 4.5) {
          out.push(`badge "${badge.innerText.trim()}" (${badge.className}) has contrast ${ratio.toFixed(2)}:1 (${style.color} on ${style.backgroundColor})`);
        }
      }
      // A key the catalogue lacks is shown as the key itself ("case.something").
      const keyLike = new RegExp(`\\b(?:${groups.join('|')})\\.[a-z0-9_]+(?:\\.[a-z0-9_]+)*\\b`, 'g');
      for (const m of document.body.innerText.match(keyLike) || []) out.push(`raw catalogue key "${m}" shown`);
      return out;
    }, [...new Set([...CATALOGUE.keys()].map((k) => k.split('.')[0]))]);
    const where = pageOf(this.page.url());
    for (const problem of found) {
      const key = `${where}: ${problem}`;
      if (!this.findings.has(key)) this.findings.set(key, this.current);
    }
  }

  /** After the last step: failed resources fail the run; page findings are listed (and fail with E2E_STRICT_PAGES=1). */
  finish() {
    this.current = null; // what follows is about the whole walk, not its last step
    if (this.badResources.length) throw new Error(`resources failed to load: ${[...new Set(this.badResources)].join(', ')}`);
    if (this.findings.size) {
      console.log(`e2e: ${this.findings.size} page finding(s):`);
      for (const [finding, step] of this.findings) console.log(`  - ${finding} (step ${step})`);
      if (process.env.E2E_STRICT_PAGES === '1') throw new Error('the page checks found problems (E2E_STRICT_PAGES=1)');
    }
  }
}

// ---- one bounded run ---------------------------------------------------------------------

/**
 * Runs `body({ state, tmp, shots })` within E2E_TIMEOUT_SECONDS. `shots` is a fresh folder
 * of screenshots (its old .png files removed); `state` collects the server (set by
 * startServer), the browsers (set by launch) and `walk` (the Walk whose step failed, for the
 * report). Whatever happens, the server is stopped, the browsers closed and the temporary
 * folder removed; exit code 1 with the failed step and a screenshot on failure.
 */
export async function run(name, shotsDir, body) {
  const started = Date.now();
  const state = { server: null, serverLog: '', browsers: [], walk: null };
  let tmp = null;
  // Both run once; a second caller waits for the first (a timeout closes the browser under
  // the running step, whose failure then arrives here too).
  let cleaning = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await stopServer(state.server).catch(() => {});
      for (const b of state.browsers) await b.close().catch(() => {});
      if (tmp) rmSync(tmp, { recursive: true, force: true });
    })());
  let aborting = null;
  const abort = (message) =>
    (aborting ??= (async () => {
      console.error(`e2e ${name}: FAILED: ${message}`);
      await cleanUp();
      process.exit(1);
    })());
  const overall = setTimeout(() => abort(`did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`), OVERALL_TIMEOUT_MS);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => abort(`stopped by ${signal}`));

  try {
    if (!existsSync(BIN)) throw new Error(`no infohus binary at ${BIN} (build it, or set INFOHUS_BIN)`);
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM)`);
    mkdirSync(shotsDir, { recursive: true });
    for (const f of readdirSync(shotsDir)) if (f.endsWith('.png')) rmSync(path.join(shotsDir, f));
    tmp = mkdtempSync(path.join(tmpdir(), `infohus-e2e-${name}-`));
    await body({ state, tmp, shots: shotsDir });
    console.log(`e2e ${name}: passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    const w = state.walk;
    const step = w?.current ? `step ${w.current}: ` : '';
    let detail = '';
    if (w) {
      detail = `\n  page: ${w.page.url()} (HTTP ${w.status})`;
      try {
        const file = path.join(shotsDir, 'failure.png');
        await w.page.screenshot({ path: file, fullPage: true });
        const summary = await w.page.locator('#error-summary, .alert-error').allInnerTexts();
        if (summary.length) detail += `\n  errors on the page: ${summary.join(' | ').replace(/\s+/g, ' ')}`;
        const h1 = await w.page.locator('h1').allInnerTexts();
        detail += `\n  h1: ${h1.join(' | ')}\n  screenshot: ${path.relative(ROOT, file)}`;
      } catch {
        // the page may be gone
      }
    }
    if (state.serverLog.trim()) detail += `\n  server log (tail):\n${state.serverLog.trim().split('\n').slice(-15).join('\n')}`;
    clearTimeout(overall);
    await abort(`${step}${String(error?.message ?? error).split('\n')[0]}${detail}`);
  }
  clearTimeout(overall);
  await cleanUp();
}
