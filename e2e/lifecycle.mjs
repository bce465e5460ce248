// Browser walk-through of a whole case life cycle in headless Chromium, driven by
// playwright-core against a real `infohus serve` on a throwaway data dir:
//
//   referral registered -> register checks asked, answered by police and psychiatry ->
//   prevention case -> baseline assessment signed -> mentoring intervention -> the mentor
//   logs a session -> follow-up assessment signed -> progression shows "Bedre" and a chart
//   -> closing with an open task is refused -> task done, case closed.
//
// Every text it looks for comes from crates/web/messages/da.txt (and the shipped instrument
// instruments/ni-dimensioner.toml), never from guesses. A full-page screenshot of each step
// goes to target/e2e/. Exit code 0 when every step passed, 1 with the failed step otherwise.
//
// Every page is also checked for labels tied to their controls, dangling aria references,
// duplicate ids, one <h1>, lang="da", raw catalogue keys and badge contrast; what those
// checks find is listed at the end, and fails the run with E2E_STRICT_PAGES=1.
//
// Environment: INFOHUS_BIN (default target/debug/infohus), CHROMIUM (default
// /usr/bin/chromium), E2E_SCREENSHOTS (default target/e2e), E2E_TIMEOUT_SECONDS (default 300),
// E2E_STRICT_PAGES (1: the page checks' findings fail the run).
// Run it through scripts/e2e.sh, which installs what is missing and builds the binary.

import { chromium } from 'playwright-core';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.resolve(process.env.INFOHUS_BIN || path.join(ROOT, 'target/debug/infohus'));
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.resolve(process.env.E2E_SCREENSHOTS || path.join(ROOT, 'target/e2e'));
const OVERALL_TIMEOUT_MS = Number(process.env.E2E_TIMEOUT_SECONDS || 300) * 1000;
const STEP_TIMEOUT_MS = 15_000;
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// ---- the message catalogue and the instrument --------------------------------------------

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

const CATALOGUE = loadCatalogue(path.join(ROOT, 'crates/web/messages/da.txt'));

/** A Danish message with `{name}` placeholders filled in; a missing key is a failure. */
function t(key, args = {}) {
  const text = CATALOGUE.get(key);
  if (text === undefined) throw new Error(`da.txt has no message "${key}" (the pages changed?)`);
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in args ? String(args[name]) : whole));
}

/**
 * The parts of an instrument file the walk-through needs (scale, recommendations,
 * dimensions with their items), read with a small line parser: the shipped files use
 * only `key = "text"` / `key = number` lines, `[[tables]]` and `"""` blocks.
 */
function loadInstrument(file) {
  const instrument = { scale: [], recommendations: [], dimensions: [] };
  let current = instrument;
  let inBlock = false;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('"""')) inBlock = false;
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const block = line.match(/^\w+\s*=\s*"""(.*)$/);
    if (block) {
      inBlock = !block[1].includes('"""');
      continue;
    }
    if (line === '[[scale]]') instrument.scale.push((current = {}));
    else if (line === '[[recommendations]]') instrument.recommendations.push((current = {}));
    else if (line === '[[dimensions]]') instrument.dimensions.push((current = { items: [] }));
    else if (line === '[[dimensions.items]]') instrument.dimensions.at(-1).items.push((current = {}));
    else if (line.startsWith('[')) current = {};
    else {
      const text = line.match(/^(\w+)\s*=\s*("(?:[^"\\]|\\.)*")\s*(#.*)?$/);
      const number = line.match(/^(\w+)\s*=\s*(\d+)\s*(#.*)?$/);
      if (text) current[text[1]] = JSON.parse(text[2]);
      else if (number) current[number[1]] = Number(number[2]);
    }
  }
  const items = instrument.dimensions.flatMap((d) => d.items);
  if (!instrument.name || instrument.scale.length < 3 || items.length === 0 || items.some((i) => !i.text || !i.side)) {
    throw new Error(`cannot read the instrument ${file}`);
  }
  return instrument;
}

const INSTRUMENT = loadInstrument(path.join(ROOT, 'instruments/ni-dimensioner.toml'));
const ITEMS = INSTRUMENT.dimensions.flatMap((d) => d.items);
const level = (key) => {
  const found = INSTRUMENT.scale.find((s) => s.key === key);
  if (!found) throw new Error(`the instrument has no level ${key}`);
  return found.label;
};
// Lowest and highest levels by position on the scale (the scale is ordered).
const LOW = INSTRUMENT.scale[1].key;
const HIGH = INSTRUMENT.scale.at(-1).key;
const INSTRUMENT_LABEL = t('assessment.instrument_version', { name: INSTRUMENT.name, version: INSTRUMENT.version });

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
const TODAY = copenhagenToday();
const daysFrom = (days) => new Date(TODAY.getTime() + days * 86_400_000);
const iso = (d) => d.toISOString().slice(0, 10);
const danish = (d) => `${iso(d).slice(8, 10)}.${iso(d).slice(5, 7)}.${iso(d).slice(0, 4)}`;

// ---- the scenario's people ---------------------------------------------------------------

const AGENCIES = {
  KK: { code: 'KK', name: 'Københavns Kommune', kind: 'municipality' },
  POL: { code: 'POL', name: 'Københavns Politi', kind: 'police' },
  PSY: { code: 'PSY', name: 'Region Hovedstadens Psykiatri', kind: 'psychiatry' },
};
const PASSWORD = `e2e-${randomBytes(12).toString('hex')}`;
const USERS = {
  coordinator: { username: 'karen.koordinator', name: 'Karen Koordinator', agency: 'KK', role: 'coordinator' },
  police: { username: 'peter.politi', name: 'Peter Politi', agency: 'POL', role: 'member' },
  psychiatry: { username: 'pia.psykiatri', name: 'Pia Psykiatri', agency: 'PSY', role: 'member' },
  mentor: { username: 'mads.mentor', name: 'Mads Mentor', agency: 'KK', role: 'mentor' },
};
const SUBJECT = { name: 'Jonas Testesen', birthDate: '1999-04-17', municipality: '0101' };
const BASELINE_ON = daysFrom(-200);
const MENTORING_FROM = daysFrom(-190);
const TASK_TITLE = 'Indkald til opfølgende netværksmøde';

// ---- the server --------------------------------------------------------------------------

function cli(args, input) {
  const result = spawnSync(BIN, args, { input, encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw new Error(`infohus ${args.slice(0, 2).join(' ')}: ${result.error.message}`);
  if (result.status !== 0) {
    throw new Error(`infohus ${args.slice(0, 2).join(' ')} exited ${result.status}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}

function setUp(dataDir) {
  for (const a of Object.values(AGENCIES)) {
    cli(['agency', 'add', '--data-dir', dataDir, '--code', a.code, '--name', a.name, '--kind', a.kind]);
  }
  for (const u of Object.values(USERS)) {
    cli(
      ['user', 'add', '--data-dir', dataDir, '--username', u.username, '--agency', u.agency, '--role', u.role,
        '--display-name', u.name, '--password-stdin'],
      `${PASSWORD}\n`,
    );
  }
  const instruments = cli(['instrument', 'list', '--data-dir', dataDir]);
  if (!instruments.includes(INSTRUMENT.key)) {
    throw new Error(`the fresh data dir has no instrument ${INSTRUMENT.key}:\n${instruments}`);
  }
}

/** Starts `infohus serve` on a free port; resolves with its base URL once /healthz answers. */
async function startServer(dataDir, state) {
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
      const response = await fetch(`${base}/healthz`);
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

// ---- page helpers ------------------------------------------------------------------------

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A label that starts with `text` (required fields add " (skal udfyldes)"). */
const labelled = (scope, text) => scope.getByLabel(new RegExp(`^\\s*${escapeRe(text)}`));

class Walk {
  constructor(page, base) {
    this.page = page;
    this.base = base;
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
  }

  async step(name, body) {
    this.steps += 1;
    const number = String(this.steps).padStart(2, '0');
    this.current = `${number}. ${name}`;
    const started = Date.now();
    await body();
    await this.checkPage();
    const file = path.join(SHOTS, `${number}-${slug(name)}.png`);
    await this.page.screenshot({ path: file, fullPage: true });
    this.shots.push(file);
    console.log(`  ok ${this.current} (${Date.now() - started} ms)`);
  }

  async goto(pathname) {
    await this.page.goto(`${this.base}${pathname}`);
    this.expectStatus(200);
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

  async login(user) {
    await this.goto('/');
    await this.page.waitForURL(/\/log-ind/);
    await this.h1(t('login.title'));
    await labelled(this.page, t('login.username')).fill(user.username);
    await labelled(this.page, t('login.password')).fill(PASSWORD);
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
    const where = new URL(this.page.url()).pathname.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}(?=\/|$)/gi, '/{id}');
    for (const problem of found) {
      const key = `${where}: ${problem}`;
      if (!this.findings.has(key)) this.findings.set(key, this.current);
    }
  }
}

function slug(name) {
  return name
    .toLowerCase()
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'oe')
    .replace(/å/g, 'aa')
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** Rates every item of the assessment form: risk factors at `risk`, resources at `resource`. */
async function fillAssessment(w, { risk, resource, words }) {
  const page = w.page;
  const form = page.locator('form', { has: page.getByRole('button', { name: t('assessment.sign'), exact: true }) });
  const groups = await form.locator('input[type=radio][name^="ratings."]').evaluateAll((inputs) => [
    ...new Set(inputs.map((i) => i.name)),
  ]);
  if (groups.length !== ITEMS.length) {
    throw new Error(`the form has ${groups.length} rating groups, the instrument ${ITEMS.length} items`);
  }
  for (const item of ITEMS) {
    const group = form.getByRole('group', { name: item.text });
    const choice = item.side === 'risk' ? risk : resource;
    const radio = group.getByRole('radio', { name: level(choice), exact: true });
    await radio.check();
  }
  for (const dimension of INSTRUMENT.dimensions) {
    await labelled(form, t('assessment.rationale_for', { dimension: dimension.name })).fill(
      `${words} ${dimension.name.toLowerCase()}: vurderet ud fra samtaler og myndighedernes oplysninger.`,
    );
  }
  await labelled(form, t('assessment.overall')).fill(`${words} samlet set; fortsat opfølgning.`);
  const recommendation = INSTRUMENT.recommendations.find((r) => r.key === 'forebyggende_indsats') || INSTRUMENT.recommendations[0];
  await form.getByRole('group', { name: t('assessment.recommendation'), exact: true }).getByRole('radio', { name: recommendation.label, exact: true }).check();
  await labelled(form, t('assessment.assessors')).fill(`${USERS.coordinator.name}\n${USERS.police.name}`);
  return form;
}

async function signAssessment(w, form, assessedOn) {
  const date = labelled(form, t('assessment.assessed_on'));
  if ((await date.inputValue()) !== iso(assessedOn)) {
    throw new Error(`the assessment date shows ${await date.inputValue()}, expected ${iso(assessedOn)}`);
  }
  await w.submit(form.getByRole('button', { name: t('assessment.sign'), exact: true }), /\/vurderinger\/[^/?]+\?status=underskrevet/);
  await w.notice(t('assessment.signed'));
  await w.h1(t('assessment_status.signed'));
  await w.visible(
    w.page.getByRole('heading', { name: t('assessment.signed_by', { name: USERS.coordinator.name, date: danish(TODAY) }) }),
    'who signed it, and when',
  );
  await w.text(t('assessment.signed_locked'));
  // Read-only now: no controls to rate with, no buttons to save or sign.
  await w.absent(w.page.locator('input[type=radio]'), 'rating controls on a signed assessment');
  await w.absent(w.page.getByRole('button', { name: t('assessment.sign'), exact: true }), 'the sign button');
  await w.absent(w.page.getByRole('button', { name: t('assessment.save'), exact: true }), 'the save button');
}

async function startAssessment(w, kind, on) {
  const form = w.form(t('case.assessment_new'));
  await labelled(form, t('case.assessment_instrument')).selectOption({ label: INSTRUMENT_LABEL });
  await labelled(form, t('case.assessment_kind')).selectOption({ label: t(`assessment_kind.${kind}`) });
  await labelled(form, t('case.assessment_date')).fill(iso(on));
  await w.submit(form.getByRole('button', { name: t('case.assessment_submit'), exact: true }), /\/vurderinger\/[^/?]+\?status=oprettet/);
  await w.notice(t('assessment.created'));
  await w.h1(INSTRUMENT_LABEL);
  await w.h1(t('assessment_status.draft'));
  await w.text(t(`assessment_kind.${kind}`));
}

// ---- the walk-through --------------------------------------------------------------------

async function walkThrough(w) {
  const page = w.page;
  const { coordinator, police, psychiatry, mentor } = USERS;
  let referralUrl;
  let caseUrl;

  await w.step('Koordinator logger ind', async () => {
    await w.login(coordinator);
    await page.waitForURL(/\/indbakke$/);
    await w.h1(t('inbox.title'));
    const styled = await page.evaluate(() => ({
      font: getComputedStyle(document.body).fontFamily,
      sheets: [...document.styleSheets].map((s) => s.href || '').filter((h) => h.includes('dkfds')).length,
    }));
    if (!styled.sheets || !/IBM Plex Sans/i.test(styled.font)) {
      throw new Error(`the page is not styled by DKFDS (font ${styled.font}, ${styled.sheets} DKFDS style sheets)`);
    }
  });

  await w.step('Ny bekymringshenvendelse registreres', async () => {
    await w.submit(page.getByRole('link', { name: t('inbox.new_referral'), exact: true }), /\/henvendelser\/ny$/);
    await w.h1(t('form.title'));
    await labelled(page, t('field.channel')).selectOption({ label: t('channel.professional') });
    await labelled(page, t('field.concern_category')).selectOption({ label: t('category.right_wing') });
    await labelled(page, t('field.urgency')).selectOption({ label: t('urgency.normal') });
    await labelled(page, t('field.description')).fill(
      'Læreren har flere gange hørt ham tale om at "rense" kvarteret og har set symboler på hans taske.',
    );
    await labelled(page, t('field.subject.name')).fill(SUBJECT.name);
    await labelled(page, t('field.subject.birth_date')).fill(SUBJECT.birthDate);
    await labelled(page, t('field.subject.gender')).selectOption({ label: t('gender.male') });
    await labelled(page, t('field.subject.municipality')).fill(SUBJECT.municipality);
    await labelled(page, t('field.referrer.name')).fill('Lise Lærer');
    await labelled(page, t('field.referrer.organisation')).fill('Nørrebro Gymnasium');
    await labelled(page, t('field.referrer.email')).fill('lise.laerer@example.dk');
    await w.submit(page.getByRole('button', { name: t('form.submit'), exact: true }), /\/henvendelser\/[^/?]+\?status=registreret/);
    referralUrl = new URL(page.url()).pathname;
    await w.visible(page.getByRole('heading', { name: t('referral.created_heading') }), t('referral.created_heading'));
    await w.h1(`${t('referral.title')}: ${SUBJECT.name}`);
    await w.text(t('status.received'), page.locator('main .badge'));
  });

  await w.step('Politi og psykiatri bedes om registertjek', async () => {
    const form = w.form(t('screening.request_heading'));
    await form.getByLabel(AGENCIES.POL.name, { exact: true }).check();
    await form.getByLabel(AGENCIES.PSY.name, { exact: true }).check();
    await w.submit(form.getByRole('button', { name: t('screening.request_submit'), exact: true }), /\?status=anmodet/);
    await w.notice(t('screening.requested'));
    const checks = w.region(t('screening.checks'));
    await w.text(AGENCIES.POL.name, checks);
    await w.text(AGENCIES.PSY.name, checks);
    const waiting = await checks.getByText(t('screening.awaiting_check'), { exact: true }).count();
    if (waiting !== 2) throw new Error(`expected 2 checks "${t('screening.awaiting_check')}", found ${waiting}`);
  });

  await w.step('Koordinator logger af', () => w.logout());

  for (const [who, result, note] of [
    [police, 'known', 'Kendt fra en sag om hærværk i 2024. Intet aktuelt.'],
    [psychiatry, 'not_known', 'Ingen kontakt med psykiatrien.'],
  ]) {
    await w.step(`${who.name} registrerer "${t(`check_result.${result}`)}"`, async () => {
      await w.login(who);
      await w.submit(page.getByRole('link', { name: t('nav.my_work'), exact: true }), /\/mit-arbejde$/);
      await w.h1(t('work.title'));
      const asked = w.region(t('work.checks'));
      await w.submit(asked.getByRole('link').first(), /\/henvendelser\/[^/?#]+/);
      if (new URL(page.url()).pathname !== referralUrl) throw new Error(`"${t('work.checks')}" led to ${page.url()}`);
      const form = w.form(t('screening.check_heading'));
      await form.getByRole('radio', { name: t(`check_result.${result}`), exact: true }).check();
      await labelled(form, t('screening.check_note')).fill(note);
      await w.absent(w.form(t('screening.decide_heading')), 'the screening decision (coordinators only)');
      await w.submit(form.getByRole('button', { name: t('screening.check_submit'), exact: true }), /\?status=tjek/);
      await w.notice(t('screening.check_recorded'));
      const row = w.region(t('screening.checks')).getByRole('row', { name: new RegExp(escapeRe(AGENCIES[who.agency].name)) });
      await w.text(t(`check_result.${result}`), row);
      await w.text(note, row);
    });
    await w.step(`${who.name} logger af`, () => w.logout());
  }

  await w.step('Koordinator afgør visitationen: forebyggende sag', async () => {
    await w.login(coordinator);
    await w.submit(page.getByRole('link', { name: SUBJECT.name, exact: true }), /\/henvendelser\//);
    await w.h1(`${t('referral.title')}: ${SUBJECT.name}`);
    const checks = w.region(t('screening.checks'));
    await w.text(t('check_result.known'), checks);
    await w.text(t('check_result.not_known'), checks);
    const form = w.form(t('screening.decide_heading'));
    await form.getByRole('radio', { name: t('outcome.prevention_case'), exact: true }).check();
    await labelled(form, t('referral.case_lead_agency')).selectOption({ label: AGENCIES.KK.name });
    await form.getByLabel(AGENCIES.POL.name, { exact: true }).check();
    await form.getByLabel(AGENCIES.PSY.name, { exact: true }).check();
    await w.submit(form.getByRole('button', { name: t('screening.decide_submit'), exact: true }), /\/sager\/[^/?]+\?status=oprettet/);
    caseUrl = new URL(page.url()).pathname;
    await w.notice(t('case.created'));
    await w.h1(t('case.heading'));
    await w.h1(t('case_status.open'));
    for (const a of Object.values(AGENCIES)) await w.text(a.name, page.locator('.person-card dd'));
    await w.text(t('timeline.opened', { detail: AGENCIES.KK.name }));
  });

  await w.step('Første vurdering (udgangspunkt) oprettes', () => startAssessment(w, 'baseline', BASELINE_ON));

  await w.step('Første vurdering udfyldes', async () => {
    await fillAssessment(w, { risk: HIGH, resource: LOW, words: 'Markant bekymring' });
  });

  await w.step('Første vurdering underskrives og er skrivebeskyttet', async () => {
    const form = page.locator('form', { has: page.getByRole('button', { name: t('assessment.sign'), exact: true }) });
    await signAssessment(w, form, BASELINE_ON);
    const first = ITEMS[0];
    const row = page.getByRole('row', { name: new RegExp(escapeRe(first.text)) });
    await w.text(level(first.side === 'risk' ? HIGH : LOW), row);
    await w.text(danish(BASELINE_ON));
  });

  await w.step('Mentorforløb oprettes med mentoren som ansvarlig', async () => {
    await w.submit(page.getByRole('link', { name: t('assessment.open_case'), exact: true }), /\/sager\/[^/?]+$/);
    const assessments = w.region(t('case.assessments'));
    await w.text(t('assessment_status.signed'), assessments);
    const form = w.form(t('case.intervention_new'));
    await labelled(form, t('case.intervention_kind')).selectOption({ label: t('intervention_type.mentoring') });
    await labelled(form, t('case.intervention_responsible')).selectOption({
      label: t('case.user_option', { name: mentor.name, agency: AGENCIES[mentor.agency].name }),
    });
    await labelled(form, t('case.intervention_goals')).fill('Stabil hverdag med uddannelse; et netværk uden for miljøet.');
    await labelled(form, t('case.intervention_start')).fill(iso(MENTORING_FROM));
    await w.submit(form.getByRole('button', { name: t('case.intervention_submit'), exact: true }), /\/indsatser\/[^/?]+\?status=oprettet/);
    await w.notice(t('intervention.created'));
    await w.h1(`${t('intervention_type.mentoring')}: ${SUBJECT.name}`);
    await w.text(mentor.name, page.locator('.person-card dd'));
    await w.text(danish(MENTORING_FROM), page.locator('.person-card dd'));
  });

  await w.step('Koordinator logger af igen', () => w.logout());

  await w.step('Mentoren finder forløbet under Mit arbejde og registrerer en samtale', async () => {
    await w.login(mentor);
    await page.waitForURL(/\/mit-arbejde$/);
    await w.h1(t('work.title'));
    const reviews = w.region(t('work.reviews'));
    await w.text(t('intervention_type.mentoring'), reviews);
    await w.submit(reviews.getByRole('link', { name: SUBJECT.name, exact: true }), /\/indsatser\/[^/?]+$/);
    await w.h1(`${t('intervention_type.mentoring')}: ${SUBJECT.name}`);
    const form = w.region(t('intervention.session_heading'));
    const date = labelled(form, t('intervention.session_date'));
    if ((await date.inputValue()) !== iso(TODAY)) throw new Error(`the session date defaults to ${await date.inputValue()}`);
    await labelled(form, t('intervention.session_minutes')).fill('45');
    await labelled(form, t('intervention.session_note')).fill('Første samtale: skole, familie og fritid. Aftalt ny samtale om to uger.');
    await w.submit(form.getByRole('button', { name: t('intervention.session_submit'), exact: true }), /\?status=samtale/);
    await w.notice(t('intervention.session_logged'));
    const sessions = w.region(t('intervention.sessions'));
    await w.text('45', sessions);
    await w.text(mentor.name, sessions);
  });

  await w.step('Mentoren logger af', () => w.logout());

  await w.step('Opfølgende vurdering dateret i dag oprettes', async () => {
    await w.login(coordinator);
    await w.submit(page.getByRole('link', { name: SUBJECT.name, exact: true }), /\/henvendelser\//);
    await w.submit(page.getByRole('link', { name: t('referral.case_open_link'), exact: true }), /\/sager\/[^/?]+$/);
    if (new URL(page.url()).pathname !== caseUrl) throw new Error(`"${t('referral.case_open_link')}" led to ${page.url()}`);
    await startAssessment(w, 'follow_up', TODAY);
  });

  await w.step('Opfølgende vurdering udfyldes med lavere risiko og flere ressourcer', async () => {
    const form = await fillAssessment(w, { risk: LOW, resource: HIGH, words: 'Tydelig bedring' });
    await signAssessment(w, form, TODAY);
  });

  await w.step('Udviklingen viser "Bedre" og et diagram', async () => {
    await w.submit(page.getByRole('link', { name: t('case.open_progression'), exact: true }), /\/personer\/[^/?]+\/udvikling$/);
    await w.h1(t('progression.heading', { name: SUBJECT.name }));
    const chart = page.locator('main svg');
    await w.visible(chart, 'an inline <svg> chart');
    await w.visible(page.getByRole('img', { name: t('progression.chart_title') }), `the chart named "${t('progression.chart_title')}"`);
    const table = w.region(t('progression.table_heading'));
    for (const column of [danish(BASELINE_ON), danish(TODAY)]) {
      await w.visible(table.getByRole('columnheader', { name: column, exact: true }), `column ${column}`);
    }
    const movements = await table.locator('tbody tr').evaluateAll((rows) =>
      rows.filter((r) => r.querySelector('td')).map((r) => [r.querySelector('th').innerText, r.lastElementChild.innerText.trim()]),
    );
    if (movements.length !== ITEMS.length) {
      throw new Error(`the table has ${movements.length} item rows, the instrument ${ITEMS.length} items`);
    }
    const notBetter = movements.filter(([, m]) => m !== t('movement.better'));
    if (notBetter.length) {
      throw new Error(`rows not "${t('movement.better')}": ${notBetter.map(([i, m]) => `${i} → ${m}`).join('; ')}`);
    }
  });

  await w.step('Mentorforløbstallet tæller borgeren', async () => {
    await w.submit(page.getByRole('link', { name: t('nav.mentoring_figure'), exact: true }), /\/statistik\/mentorforloeb$/);
    await w.h1(t('mentoring.title'));
    await w.text(t('mentoring.share', { x: 1, y: 1, z: 100 }));
  });

  await w.step('Opgave oprettes i sagen', async () => {
    await w.goto(caseUrl);
    const form = w.form(t('case.task_new'));
    await labelled(form, t('case.task_title')).fill(TASK_TITLE);
    await labelled(form, t('case.task_owner')).selectOption({ label: AGENCIES.KK.name });
    await labelled(form, t('case.task_due')).fill(iso(daysFrom(14)));
    await w.submit(form.getByRole('button', { name: t('case.task_submit'), exact: true }), /\/sager\/[^/?]+\?status=opgave$/);
    await w.notice(t('case.task_added'));
    await w.text(TASK_TITLE, w.region(t('case.tasks')));
  });

  await w.step('Lukning med åben opgave afvises tydeligt', async () => {
    const close = w.region(t('case.close'));
    await labelled(close, t('case.close_reason')).selectOption({ label: t('closure_reason.goals_met') });
    await labelled(close, t('case.close_note')).fill('Målene for forløbet er nået.');
    const confirm = close.getByLabel(t('case.close_confirm_one'), { exact: true });
    await w.visible(confirm, `the checkbox "${t('case.close_confirm_one')}"`);
    if (await confirm.isChecked()) throw new Error('the confirmation is ticked before the user ticks it');
    await w.submit(close.getByRole('button', { name: t('case.close_submit'), exact: true }), /\/sager\/[^/?]+\/luk$/, 422);
    const summary = page.getByRole('alert').filter({ has: page.getByRole('heading', { name: t('form.error_summary') }) });
    await w.visible(summary, `the error summary "${t('form.error_summary')}"`);
    const link = summary.getByRole('link', {
      name: `${t('case.close_confirm_legend')}: ${t('case.close_open_tasks_error_one')}`,
      exact: true,
    });
    await w.visible(link, 'the error summary line linking to the confirmation');
    if ((await link.getAttribute('href')) !== '#close-confirm') throw new Error('the error summary does not link to the checkbox');
    const message = w.region(t('case.close')).locator('.form-error-message');
    await w.visible(message.getByText(t('case.close_open_tasks_error_one')), 'the error message at the checkbox');
    const invalid = await w.region(t('case.close')).getByLabel(t('case.close_confirm_one'), { exact: true }).getAttribute('aria-invalid');
    if (invalid !== 'true') throw new Error('the confirmation checkbox is not marked aria-invalid');
    await w.h1(t('case_status.open'));
  });

  await w.step('Opgaven markeres som udført, og sagen lukkes', async () => {
    const tasks = w.region(t('case.tasks'));
    await w.submit(
      // The button's name carries the task's title ("Markér som udført: …").
      tasks.getByRole('button', {
        name: CATALOGUE.has('work.done_named')
          ? t('work.done_named', { title: TASK_TITLE })
          : new RegExp(`^${escapeRe(t('work.done'))}\\s*:\\s*${escapeRe(TASK_TITLE)}$`),
        exact: true,
      }),
      /\/sager\/[^/?]+\?status=opgave-udfoert$/,
    );
    await w.notice(t('case.task_done'));
    await w.text(t('task_status.done'), w.region(t('case.tasks')));
    const close = w.region(t('case.close'));
    await w.absent(close.getByRole('checkbox'), 'the open-task confirmation without open tasks');
    await labelled(close, t('case.close_reason')).selectOption({ label: t('closure_reason.goals_met') });
    await w.submit(close.getByRole('button', { name: t('case.close_submit'), exact: true }), /\/sager\/[^/?]+\?status=lukket$/);
    await w.notice(t('case.closed'));
  });

  await w.step('Sagen står som lukket', async () => {
    await w.h1(t('case_status.closed'));
    const status = `${t('case_status.closed')} – ${t('case.closed_text', { date: danish(TODAY), reason: t('closure_reason.goals_met') })}`;
    await w.text(status, page.locator('.person-card dd'));
    await w.text(t('timeline.closed', { detail: t('closure_reason.goals_met') }));
    await w.visible(page.getByRole('heading', { name: t('case.reopen'), exact: true }), `the form "${t('case.reopen')}"`);
    await w.absent(page.getByRole('region', { name: t('case.close'), exact: true }), 'the close form on a closed case');
    await w.absent(w.form(t('case.task_new')), 'the task form on a closed case');
  });

  await w.step('Koordinator logger af til sidst', () => w.logout());
}

// ---- main --------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  const state = { server: null, serverLog: '', browser: null, tmp: null };
  // Both run once; a second caller waits for the first (a timeout closes the browser under
  // the running step, whose failure then arrives here too).
  let cleaning = null;
  const cleanUp = () =>
    (cleaning ??= (async () => {
      await stopServer(state.server).catch(() => {});
      await state.browser?.close().catch(() => {});
      if (state.tmp) rmSync(state.tmp, { recursive: true, force: true });
    })());
  let aborting = null;
  const abort = (message) =>
    (aborting ??= (async () => {
      console.error(`e2e: FAILED: ${message}`);
      await cleanUp();
      process.exit(1);
    })());
  const overall = setTimeout(() => abort(`the walk-through did not finish within ${OVERALL_TIMEOUT_MS / 1000} s`), OVERALL_TIMEOUT_MS);
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => abort(`stopped by ${signal}`));

  let w;
  try {
    if (!existsSync(BIN)) throw new Error(`no infohus binary at ${BIN} (build it, or set INFOHUS_BIN)`);
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (install Debian's chromium, or set CHROMIUM)`);
    mkdirSync(SHOTS, { recursive: true });
    for (const f of readdirSync(SHOTS)) if (f.endsWith('.png')) rmSync(path.join(SHOTS, f));

    state.tmp = mkdtempSync(path.join(tmpdir(), 'infohus-e2e-'));
    const dataDir = path.join(state.tmp, 'data');
    setUp(dataDir);
    const base = await startServer(dataDir, state);
    console.log(`e2e: infohus at ${base}, Chromium ${CHROMIUM}`);

    const context = await chromium.launchPersistentContext(path.join(state.tmp, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      locale: 'da-DK',
      timezoneId: 'Europe/Copenhagen',
      viewport: { width: 1280, height: 900 },
    });
    state.browser = context;
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    const page = context.pages()[0] || (await context.newPage());
    w = new Walk(page, base);

    await walkThrough(w);

    w.current = null; // what follows is about the whole walk, not its last step
    if (w.badResources.length) throw new Error(`resources failed to load: ${[...new Set(w.badResources)].join(', ')}`);
    if (w.findings.size) {
      console.log(`e2e: ${w.findings.size} page finding(s):`);
      for (const [finding, step] of w.findings) console.log(`  - ${finding} (step ${step})`);
      if (process.env.E2E_STRICT_PAGES === '1') throw new Error('the page checks found problems (E2E_STRICT_PAGES=1)');
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`e2e: passed ${w.steps} steps with ${w.shots.length} screenshots in ${path.relative(ROOT, SHOTS) || SHOTS}/ (${seconds} s)`);
  } catch (error) {
    const step = w?.current ? `step ${w.current}: ` : '';
    let detail = '';
    if (w) {
      detail = `\n  page: ${w.page.url()} (HTTP ${w.status})`;
      try {
        const file = path.join(SHOTS, 'failure.png');
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
    await abort(`${step}${error.message.split('\n')[0]}${detail}`);
  }
  clearTimeout(overall);
  await cleanUp();
}

await main();
