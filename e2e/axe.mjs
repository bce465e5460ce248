// Accessibility scan of every main page with axe-core (WCAG 2.0 and 2.1, levels A and AA) in
// headless Chromium, against a real `infohus serve` on a throwaway data dir filled by
// `infohus demo` (the synthetic Copenhagen infohus: referrals, cases with assessments,
// interventions and tasks, a held meeting with approved minutes, the next one with a draft
// agenda). Each page is opened as the role that uses it, logged out, logged in as a
// coordinator, member, mentor, auditor, admin and analyst, and in the states that matter
// (a form with its error summary, a draft and a signed assessment, a draft and a published
// agenda, minutes being written and approved, the error pages).
//
// Every violation is printed (rule, impact, element); the whole result goes to
// target/e2e/axe-report.json, with a screenshot of each page in target/e2e/axe/ (the whole
// page where something was found).
// Exit code 1 when any violation is "serious" or "critical", or a page cannot be reached.
//
// axe.min.js is injected as a script tag, which the pages' strict Content-Security-Policy
// would refuse; the scanning browser therefore bypasses CSP (the server still sends it,
// which the scan checks on every page). Run it through scripts/e2e.sh (environment: see
// harness.mjs).

import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, SHOTS, TODAY, cli, iso, labelled, launch, pageOf, run, slug, startServer, t } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE_PATH = require.resolve('axe-core/axe.min.js');
const AXE_VERSION = require('axe-core/package.json').version;
// The WCAG 2.0 and 2.1 A and AA rules; E2E_AXE_TAGS (comma-separated axe tags, e.g.
// "best-practice,wcag22aa") scans with other rules for a look around.
const TAGS = process.env.E2E_AXE_TAGS ? process.env.E2E_AXE_TAGS.split(',') : ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const FAILING = ['critical', 'serious'];
const IMPACTS = ['critical', 'serious', 'moderate', 'minor'];
const REPORT = path.join(SHOTS, 'axe-report.json');
// A valid CPR number to look up elsewhere (the demo has one infohus: the answer is "no hit").
const UNKNOWN_CPR = '0101901234';

/** The demo's logins as `infohus demo` prints them: username -> password. */
function demoLogins(output) {
  const logins = new Map();
  for (const line of output.split('\n')) {
    const m = line.match(/^\s+(\S+)\s+(demo-\S+)\s+(\w+)\s+\(/);
    if (m) logins.set(m[1], m[2]);
  }
  for (const user of ['koordinator', 'politi', 'mentor', 'revisor', 'admin', 'analytiker']) {
    if (!logins.has(user)) throw new Error(`infohus demo printed no login for ${user}:\n${output}`);
  }
  return logins;
}

/**
 * In the page: the contrast of each element's text against the background colour beneath it
 * (its own or its ancestors', composited over white), for the elements axe could not decide.
 * Returns the elements below WCAG AA (4.5:1, or 3:1 for large text).
 */
function contrastOverBackgroundColour(selectors) {
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return [r, g, b, a];
  };
  const over = (top, [r, g, b]) => [0, 1, 2].map((i) => top[i] * top[3] + [r, g, b][i] * (1 - top[3]));
  const lum = (rgb) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(rgb[0]) + 0.7152 * f(rgb[1]) + 0.0722 * f(rgb[2]);
  };
  const out = [];
  for (const selector of selectors) {
    const el = document.querySelector(selector);
    if (!el) continue;
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) {
        layers.push(c);
        if (c[3] >= 1) break;
      }
    }
    const bg = layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
    const style = getComputedStyle(el);
    const fg = over(parse(style.color) || [0, 0, 0, 1], bg);
    const [a, b] = [lum(fg), lum(bg)];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const required = large ? 3 : 4.5;
    if (ratio < required) {
      const css = (rgb) => `rgb(${rgb.map((v) => Math.round(v)).join(', ')})`;
      out.push({ target: selector, html: el.outerHTML.slice(0, 300), ratio, fg: css(fg), bg: css(bg), required });
    }
  }
  return out;
}

class Scanner {
  constructor(page, base, shots) {
    this.page = page;
    this.base = base;
    this.shots = shots;
    this.results = [];
    this.role = 'anonym';
    this.document = null; // the last main-frame document response
    this.current = null; // the page being scanned, for the failure report
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) this.document = response;
    });
  }

  /** Opens `pathname` and scans it; `status` is the HTTP status the page must answer with. */
  async visit(label, pathname, status = 200) {
    this.current = label;
    await this.page.goto(`${this.base}${pathname}`);
    return this.scan(label, status);
  }

  /** Clicks `button` (a form submission), waits for the page it leads to, and scans it. */
  async submit(label, button, status = 200) {
    this.current = label;
    const before = this.document;
    await button.click();
    await this.page.waitForLoadState('load');
    const deadline = Date.now() + 15_000;
    while (this.document === before) {
      if (Date.now() > deadline) throw new Error(`${label}: the click led to no new page`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.scan(label, status);
  }

  get status() {
    return this.document?.status() ?? 0;
  }

  async scan(label, status) {
    this.current = label;
    const started = Date.now();
    const url = this.page.url();
    const response = this.document;
    if (!response) throw new Error(`${label}: no document loaded`);
    if (response.status() !== status) throw new Error(`${label}: expected HTTP ${status} for ${url}, got ${response.status()}`);
    const csp = (await response.allHeaders())['content-security-policy'] || '';
    if (!csp.includes("default-src 'none'")) throw new Error(`${label}: ${url} was sent without the strict Content-Security-Policy`);
    await this.page.addScriptTag({ path: AXE_PATH });
    const result = await this.page.evaluate(
      (tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations', 'incomplete'] }),
      TAGS,
    );
    // Text over a background image or gradient (the selects' chevron, the alerts' stripe) is
    // left undecided by axe: check it against the background colour underneath instead.
    const undecided = result.incomplete
      .filter((v) => v.id === 'color-contrast')
      .flatMap((v) => v.nodes.filter((n) => n.target.length === 1).map((n) => n.target[0]));
    const fallback = await this.page.evaluate(contrastOverBackgroundColour, undecided);
    if (fallback.length) {
      result.violations.push({
        id: 'color-contrast',
        impact: 'serious',
        help: 'Elements must meet minimum color contrast ratio thresholds (checked against the background colour under a background image or gradient)',
        helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/color-contrast',
        tags: ['wcag2aa', 'wcag143'],
        nodes: fallback.map((f) => ({
          target: [f.target],
          html: f.html,
          failureSummary: `contrast ${f.ratio.toFixed(2)}:1 (${f.fg} on ${f.bg}), needs ${f.required}:1`,
        })),
      });
    }
    result.incomplete = result.incomplete.filter((v) => v.id !== 'color-contrast' || v.nodes.some((n) => n.target.length !== 1));
    const number = String(this.results.length + 1).padStart(2, '0');
    const screenshot = path.join(this.shots, `${number}-${slug(label)}.png`);
    // The whole page where something was found; the first screen otherwise (long lists
    // make full-page shots slow).
    await this.page.screenshot({ path: screenshot, fullPage: result.violations.length > 0 });
    const violations = result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      tags: v.tags.filter((tag) => tag.startsWith('wcag')),
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 300), summary: n.failureSummary })),
    }));
    // What axe could not decide (e.g. contrast over a background image): listed, never failing.
    const needsReview = result.incomplete.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) }));
    this.results.push({
      page: label,
      role: this.role,
      path: pageOf(url) + new URL(url).search,
      status,
      screenshot: path.relative(ROOT, screenshot),
      violations,
      needsReview,
    });
    const count = violations.reduce((n, v) => n + v.nodes.length, 0);
    const where = pageOf(url) + new URL(url).search;
    console.log(`  ${count ? 'VIOLATIONS' : 'ok'} ${number}. ${label} (${this.role}, ${where}): ${count} element(s) (${Date.now() - started} ms)`);
    return this.page;
  }

  async login(username, password) {
    await this.page.goto(`${this.base}/log-ind`);
    await labelled(this.page, t('login.username')).fill(username);
    await labelled(this.page, t('login.password')).fill(password);
    await Promise.all([
      this.page.waitForURL((u) => !u.pathname.startsWith('/log-ind')),
      this.page.getByRole('button', { name: t('login.submit'), exact: true }).click(),
    ]);
    this.role = username;
  }

  async logout() {
    await Promise.all([
      this.page.waitForURL(/\/log-ind\?status=logget-ud/),
      this.page.getByRole('button', { name: t('layout.logout'), exact: true }).click(),
    ]);
    this.role = 'anonym';
  }

  /** The distinct paths of the links in the main content that match `pattern`. */
  async links(pattern) {
    const hrefs = await this.page.locator('main a[href]').evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    return [...new Set(hrefs.filter((h) => pattern.test(h)))];
  }
}

/** `value`, or a failure naming what the demo data lacked. */
function need(value, what) {
  if (!value) throw new Error(`the demo data has no ${what}`);
  return value;
}

/** The main pages, each as the role that uses it. */
async function scanAll(s, logins) {
  const page = s.page;
  const as = (user) => s.login(user, logins.get(user));

  // ---- logged out
  await s.visit('Log ind', '/log-ind');
  await labelled(page, t('login.username')).fill('ukendt.bruger');
  await labelled(page, t('login.password')).fill('forkert-adgangskode-123');
  await s.submit('Log ind: forkert adgangskode', page.getByRole('button', { name: t('login.submit'), exact: true }), 401);
  await s.visit('Siden findes ikke (logget af)', '/findes-ikke', 404);

  // ---- coordinator
  await as('koordinator');
  await s.visit('Indbakke (koordinator)', '/indbakke');
  await s.visit('Ny henvendelse', '/henvendelser/ny');
  await s.submit('Ny henvendelse med fejl', page.getByRole('button', { name: t('form.submit'), exact: true }), 422);
  await s.visit('Mit arbejde (koordinator)', '/mit-arbejde');
  const [awaiting] = await s.links(/^\/henvendelser\/[^/]+$/);
  need(awaiting, 'referral awaiting screening in the coordinator\'s work');
  await s.visit('Løsladelser', '/loesladelser');
  await s.visit('Mentorforløb (statistik)', '/statistik/mentorforloeb');
  await s.visit('Kendt andetsteds', '/kendt-andetsteds');
  await labelled(page, t('field.subject.cpr')).fill(UNKNOWN_CPR);
  await s.submit('Kendt andetsteds: svar', page.getByRole('button', { name: t('known.submit'), exact: true }));
  await s.visit('Vurderingsværktøjer (koordinator)', '/opsaetning/instrumenter');
  await s.visit('Møder', '/moeder');
  const meetingLinks = (name) =>
    page
      .getByRole('region', { name, exact: true })
      .locator('a[href^="/moeder/"]')
      .evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
  const coming = await meetingLinks(t('meetings.caption'));
  const past = await meetingLinks(t('meetings.past'));
  await s.visit('Planlæg en møderække', '/moeder/ny');
  await s.submit('Planlæg en møderække med fejl', page.getByRole('button', { name: t('series.submit'), exact: true }), 422);

  // The held meeting (approved minutes) and the next one (a draft agenda).
  const first = async (paths, found) => {
    for (const m of paths) {
      await page.goto(`${s.base}${m}`);
      if (await found.count()) return m;
    }
    return undefined;
  };
  // (On the day of the next meeting it may already count as past: look in both lists.)
  const held = await first([...past, ...coming], page.getByRole('link', { name: t('meeting.open_minutes'), exact: true }));
  const next = await first([...coming, ...past], page.getByRole('button', { name: t('agenda.publish'), exact: true }));
  need(held, 'held meeting with minutes');
  need(next, 'meeting with a draft agenda');
  await s.visit('Møde med dagsorden (kladde)', next);
  const agendaCases = await s.links(/^\/sager\/[^/]+$/);
  await s.visit('Dagsorden til udskrift', `${next}/dagsorden/udskrift`);
  await s.visit('Afholdt møde', held);
  await s.visit('Referat (godkendt)', `${held}/referat`);
  await s.visit('Referat til udskrift', `${held}/referat/udskrift`);

  // A case with assessments, interventions and tasks, and the pages around it.
  let casePath;
  for (const c of agendaCases) {
    await page.goto(`${s.base}${c}`);
    const [assessments, interventions, tasks] = await Promise.all([
      page.locator('main a[href^="/vurderinger/"]').count(),
      page.locator('main a[href^="/indsatser/"]').count(),
      page.getByRole('region', { name: t('case.tasks'), exact: true }).locator('tbody tr').count(),
    ]);
    if (assessments && interventions && tasks) {
      casePath = c;
      break;
    }
  }
  need(casePath, 'case on the agenda with assessments, interventions and tasks');
  await s.visit('Sag med vurderinger, indsatser og opgaver', casePath);
  const [signed] = await s.links(/^\/vurderinger\/[^/]+$/);
  const [intervention] = await s.links(/^\/indsatser\/[^/]+$/);
  const [referral] = await s.links(/^\/henvendelser\/[^/]+$/);
  const [person] = await s.links(/^\/personer\/[^/]+$/);
  const newAssessment = page.getByRole('form', { name: t('case.assessment_new'), exact: true });
  await labelled(newAssessment, t('case.assessment_instrument')).selectOption({ index: 1 });
  await labelled(newAssessment, t('case.assessment_kind')).selectOption({ label: t('assessment_kind.follow_up') });
  await labelled(newAssessment, t('case.assessment_date')).fill(iso(TODAY));
  await s.submit('Vurdering (kladde, skema)', newAssessment.getByRole('button', { name: t('case.assessment_submit'), exact: true }));
  await s.submit('Vurdering med fejl ved underskrift', page.getByRole('button', { name: t('assessment.sign'), exact: true }), 422);
  await s.visit('Vurdering (underskrevet)', signed);
  await s.visit('Indsats', intervention);
  await s.visit('Henvendelse med sag', referral);
  await s.visit('Borger', person);
  await s.visit('Borgerens udvikling', `${person}/udvikling`);
  await s.visit('Henvendelse til visitation', awaiting);
  await s.visit('Siden findes ikke (logget ind)', '/sager/00000000-0000-0000-0000-000000000000', 404);

  // A form refused on the case page (an empty note), with its error summary.
  await page.goto(`${s.base}${casePath}`);
  const note = page.getByRole('region', { name: t('case.new_note'), exact: true });
  await s.submit('Sag med fejl i notat', note.getByRole('button', { name: t('case.note_submit'), exact: true }), 422);
  await labelled(note, t('case.note_body')).fill('Familien er indkaldt til netværksmøde.');
  await s.submit('Sag med notat og videregivelse', note.getByRole('button', { name: t('case.note_submit'), exact: true }));

  // Another case, closed: the closed state with the reopen form.
  const other = need(agendaCases.find((c) => c !== casePath), 'second case on the agenda');
  await page.goto(`${s.base}${other}`);
  const close = page.getByRole('region', { name: t('case.close'), exact: true }).first();
  await labelled(close, t('case.close_reason')).selectOption({ index: 1 });
  for (const box of await close.getByRole('checkbox').all()) await box.check();
  await s.submit('Lukket sag', close.getByRole('button', { name: t('case.close_submit'), exact: true }));

  // A new referral about a person the infohus knows (name and birth date): the match suggestion.
  await page.goto(`${s.base}${person}`);
  const name = (await page.locator('h1').innerText()).trim();
  const born = (await page.locator('dt', { hasText: t('field.subject.birth_date') }).locator('+ dd').innerText()).trim();
  const [day, month, year] = born.split(' ')[0].split('.');
  await page.goto(`${s.base}/henvendelser/ny`);
  await labelled(page, t('field.channel')).selectOption({ index: 1 });
  await labelled(page, t('field.concern_category')).selectOption({ index: 1 });
  await labelled(page, t('field.urgency')).selectOption({ index: 1 });
  await labelled(page, t('field.description')).fill('Ny bekymring fra skolen om den samme borger.');
  await labelled(page, t('field.subject.name')).fill(name);
  await labelled(page, t('field.subject.birth_date')).fill(`${year}-${month}-${day}`);
  await s.submit('Henvendelse med forslag om match', page.getByRole('button', { name: t('form.submit'), exact: true }));
  if (!(await page.getByRole('heading', { name: t('referral.suggestion_heading'), exact: true }).count())) {
    throw new Error(`a referral about ${pageOf(s.base + person)} (same name and birth date) shows no match suggestion`);
  }

  // The person search, where the build has it (the menu links to it).
  if (await page.locator('nav a[href="/personer/soeg"]').count()) {
    await s.visit('Søg borger', '/personer/soeg');
    await page.locator('main input[name="name"]').fill(name);
    await s.submit('Søg borger: resultat', page.locator('main form button[type="submit"]').first());
  }

  // Minutes being written: publish the next agenda and start its minutes.
  await page.goto(`${s.base}${next}`);
  await s.submit('Møde med offentliggjort dagsorden', page.getByRole('button', { name: t('agenda.publish'), exact: true }));
  await page.goto(`${s.base}${next}/referat`);
  await s.submit('Referat under udarbejdelse', page.getByRole('button', { name: t('minutes.start'), exact: true }));
  await s.logout();

  // ---- a member of the police
  await as('politi');
  await s.visit('Indbakke (myndighed)', '/indbakke');
  await s.visit('Mit arbejde (myndighed)', '/mit-arbejde');
  const [asked] = await s.links(/^\/henvendelser\/[^/]+$/);
  await s.visit('Henvendelse med registertjek', need(asked, 'register check asked of the police'));
  await s.visit('Møde med neutrale henvisninger', held);
  await s.visit('Ingen adgang', '/opsaetning/hjemler', 403);
  await s.logout();

  // ---- a member whose agency takes no part in a case on the agenda: break glass (the full
  // case first; every member agency may take part in it, so then another case)
  let broke = false;
  for (const member of ['ssp', 'socialraadgiver', 'psykiatri', 'kriminalforsorg', 'politi'].filter((m) => logins.has(m))) {
    await as(member);
    for (const c of [casePath, ...agendaCases.filter((c) => c !== casePath && c !== other)]) {
      await page.goto(`${s.base}${c}/noedadgang`);
      if (await labelled(page, t('break_glass.reason')).count()) {
        await s.visit('Nødadgang', `${c}/noedadgang`);
        await labelled(page, t('break_glass.reason')).fill('Akut henvendelse fra skolen om trusler mod en lærer.');
        await s.submit('Sag åbnet med nødadgang', page.getByRole('button', { name: t('break_glass.submit'), exact: true }));
        broke = true;
        break;
      }
    }
    await s.logout();
    if (broke) break;
  }
  need(broke, 'member outside a case on the agenda to break the glass');

  // ---- the mentor
  await as('mentor');
  await s.visit('Mit arbejde (mentor)', '/mit-arbejde');
  const [own] = await s.links(/^\/indsatser\/[^/]+$/);
  await s.visit('Indsats (mentor)', need(own, 'intervention in the mentor\'s work'));
  await s.logout();

  // ---- the auditor
  await as('revisor');
  await s.visit('Revision', '/revision');
  await s.visit('Revision: søgning', '/revision?username=koordinator');
  await s.visit('Revision: nødadgang', '/revision/noedadgang');
  await s.visit('Revision: videregivelser', '/revision/videregivelser');
  await s.visit('Revision: indsigt', '/revision/indsigt');
  await s.visit('Revision: indsigt i en borger', `/revision/indsigt?person=${person.split('/').pop()}`);
  await s.logout();

  // ---- the admin
  await as('admin');
  await s.visit('Forside (admin)', '/');
  await s.visit('Hjemler', '/opsaetning/hjemler');
  await s.visit('Vurderingsværktøjer', '/opsaetning/instrumenter');
  await s.visit('Indsatstyper', '/opsaetning/indsatstyper');
  await s.logout();

  // ---- the analyst
  await as('analytiker');
  await s.visit('Forside (analytiker)', '/');
  await s.visit('Mentorforløb (analytiker)', '/statistik/mentorforloeb');
  await s.logout();

  // ---- a phone's width (the menu, tables and forms reflow without script)
  await page.setViewportSize({ width: 375, height: 800 });
  await s.visit('Log ind (mobil)', '/log-ind');
  await as('koordinator');
  await s.visit('Indbakke (mobil)', '/indbakke');
  await s.visit('Sag (mobil)', casePath);
  await s.visit('Møde med dagsorden (mobil)', next);
  await s.visit('Vurdering (mobil)', signed);
  await s.logout();
  await page.setViewportSize({ width: 1280, height: 900 });
}

function report(results) {
  const byImpact = Object.fromEntries(IMPACTS.map((i) => [i, 0]));
  const rules = new Map();
  for (const r of results) {
    for (const v of r.violations) {
      byImpact[v.impact] = (byImpact[v.impact] || 0) + v.nodes.length;
      const rule = rules.get(v.id) || { impact: v.impact, help: v.help, pages: new Set(), nodes: 0 };
      rule.pages.add(r.page);
      rule.nodes += v.nodes.length;
      rules.set(v.id, rule);
    }
  }
  for (const r of results) {
    for (const v of r.violations) {
      for (const n of v.nodes) console.log(`  [${v.impact}] ${v.id} on "${r.page}" (${r.path}): ${n.target}\n      ${v.help}`);
    }
  }
  writeFileSync(
    REPORT,
    `${JSON.stringify(
      {
        axeCore: AXE_VERSION,
        tags: TAGS,
        failsOn: FAILING,
        pagesScanned: results.length,
        violationsByImpact: byImpact,
        rules: Object.fromEntries([...rules].map(([id, r]) => [id, { ...r, pages: [...r.pages] }])),
        pages: results,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`e2e axe: ${results.length} pages scanned with axe-core ${AXE_VERSION} (${TAGS.join(', ')})`);
  console.log(`e2e axe: violations (elements) by impact: ${IMPACTS.map((i) => `${i} ${byImpact[i] || 0}`).join(', ')}`);
  console.log(`e2e axe: report in ${path.relative(ROOT, REPORT)}`);
  const failing = FAILING.reduce((n, i) => n + (byImpact[i] || 0), 0);
  if (failing) {
    const ids = [...rules].filter(([, r]) => FAILING.includes(r.impact)).map(([id]) => id);
    throw new Error(`${failing} serious or critical violation(s): ${ids.join(', ')}`);
  }
}

await run('axe', path.join(SHOTS, 'axe'), async ({ state, tmp, shots }) => {
  const dataDir = path.join(tmp, 'data');
  // A smaller infohus than the default demo: every kind of page, shorter lists.
  const logins = demoLogins(cli(['demo', '--data-dir', dataDir, '--persons', '150', '--referrals', '250']));
  const base = await startServer(dataDir, state);
  console.log(`e2e axe: infohus (demo data) at ${base}`);
  const { page } = await launch(state, path.join(tmp, 'chromium-profile'), { bypassCSP: true });
  const s = new Scanner(page, base, shots);
  state.walk = s;
  await scanAll(s, logins);
  state.walk = null; // what follows is about all pages, not the last one
  report(s.results);
});
