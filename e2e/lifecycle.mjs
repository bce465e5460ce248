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

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CATALOGUE, ROOT, SHOTS, TODAY, addAccounts, cli, danish, daysFrom, escapeRe, iso, labelled, launch, run, startServer, t, Walk,
} from './harness.mjs';

// ---- the instrument ----------------------------------------------------------------------

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

function setUp(dataDir) {
  addAccounts(dataDir, Object.values(AGENCIES), Object.values(USERS), PASSWORD);
  const instruments = cli(['instrument', 'list', '--data-dir', dataDir]);
  if (!instruments.includes(INSTRUMENT.key)) {
    throw new Error(`the fresh data dir has no instrument ${INSTRUMENT.key}:\n${instruments}`);
  }
}

// ---- page helpers ------------------------------------------------------------------------

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

await run('lifecycle', SHOTS, async ({ state, tmp, shots }) => {
  const dataDir = path.join(tmp, 'data');
  setUp(dataDir);
  const base = await startServer(dataDir, state);
  console.log(`e2e: infohus at ${base}`);
  const { page } = await launch(state, path.join(tmp, 'chromium-profile'));
  const w = new Walk(page, base, { shots, password: PASSWORD });
  state.walk = w;
  await walkThrough(w);
  w.finish();
  console.log(`e2e: passed ${w.steps} steps with ${w.shots.length} screenshots in ${path.relative(ROOT, shots) || shots}/`);
});
