// Browser walk-through from a new referral to the agenda of a coordination meeting, in
// headless Chromium against a real `infohus serve` on a throwaway data dir:
//
//   the coordinator logs in -> registers a referral -> plans a meeting series -> builds the
//   first meeting's agenda: the referral is on it as a new referral -> screens it as a
//   prevention case -> flags the case "Ønskes drøftet" -> builds the agenda again: the case is
//   on it, flagged by the coordinator's agency -> publishes it -> a police member of the
//   series sees the item only as a neutral reference (no name) -> both log out, and the old
//   session cookie no longer opens any page.
//
// What it looks for comes from crates/web/messages/da.txt. A full-page screenshot of each
// step goes to target/e2e/agenda/. Exit code 0 when every step passed, 1 otherwise.
// Run it through scripts/e2e.sh (environment: see harness.mjs).

import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ROOT, SHOTS, TODAY, addAccounts, danish, daysFrom, escapeRe, iso, labelled, launch, run, startServer, t, Walk } from './harness.mjs';

const AGENCIES = {
  KK: { code: 'KK', name: 'Københavns Kommune', kind: 'municipality' },
  POL: { code: 'POL', name: 'Københavns Politi', kind: 'police' },
};
const PASSWORD = `e2e-${randomBytes(12).toString('hex')}`;
const USERS = {
  coordinator: { username: 'karen.koordinator', name: 'Karen Koordinator', agency: 'KK', role: 'coordinator' },
  police: { username: 'peter.politi', name: 'Peter Politi', agency: 'POL', role: 'member' },
};
const SUBJECT = { name: 'Amalie Agendasen', birthDate: '2004-09-23', municipality: '0101' };
const SERIES = 'Koordineringsmøde (e2e)';
// In two days: today's referral and flag fall before the cut-off (21 hours before), and the
// screening deadline (working days) after the meeting, so the referral comes up as new.
const FIRST_MEETING = daysFrom(2);
const FLAG_NOTE = 'Skoleskift og ny omgangskreds.';

/** The agenda's items as the page shows them: title, link, reasons. */
async function agendaItems(page) {
  return page.locator('.agenda-item').evaluateAll((items) =>
    items.map((li) => {
      const link = li.querySelector('.agenda-item__title a');
      return {
        title: li.querySelector('.agenda-item__title')?.innerText.trim() ?? '',
        href: link ? new URL(link.href).pathname : null,
        reasons: [...li.querySelectorAll('.agenda-reasons li')].map((r) => r.innerText.trim()),
      };
    }),
  );
}

async function expectItem(w, href, reason) {
  const items = await agendaItems(w.page);
  const item = items.find((i) => i.href === href);
  const listed = items.map((i) => `${i.title} [${i.reasons.join('; ')}]`).join(' | ') || 'none';
  if (!item) throw new Error(`the agenda has no item linking to ${href}; items: ${listed}`);
  if (!item.title.includes(SUBJECT.name)) throw new Error(`the item for ${href} is titled "${item.title}"`);
  if (!item.reasons.includes(reason)) throw new Error(`the item for ${href} does not give the reason "${reason}": ${listed}`);
}

async function walkThrough(w, context) {
  const page = w.page;
  const { coordinator, police } = USERS;
  let referralUrl;
  let caseUrl;
  let meetingUrl;

  await w.step('Koordinator logger ind', async () => {
    await w.login(coordinator);
    await page.waitForURL(/\/indbakke$/);
    await w.h1(t('inbox.title'));
  });

  await w.step('Ny bekymringshenvendelse registreres', async () => {
    await w.submit(page.getByRole('link', { name: t('inbox.new_referral'), exact: true }), /\/henvendelser\/ny$/);
    await w.h1(t('form.title'));
    await labelled(page, t('field.channel')).selectOption({ label: t('channel.professional') });
    await labelled(page, t('field.concern_category')).selectOption({ label: t('category.right_wing') });
    await labelled(page, t('field.urgency')).selectOption({ label: t('urgency.normal') });
    await labelled(page, t('field.description')).fill('Klasselæreren har set hende dele propaganda fra en højreekstrem gruppe.');
    await labelled(page, t('field.subject.name')).fill(SUBJECT.name);
    await labelled(page, t('field.subject.birth_date')).fill(SUBJECT.birthDate);
    await labelled(page, t('field.subject.gender')).selectOption({ label: t('gender.female') });
    await labelled(page, t('field.subject.municipality')).fill(SUBJECT.municipality);
    await labelled(page, t('field.referrer.name')).fill('Lise Lærer');
    await labelled(page, t('field.referrer.organisation')).fill('Nørrebro Gymnasium');
    await w.submit(page.getByRole('button', { name: t('form.submit'), exact: true }), /\/henvendelser\/[^/?]+\?status=registreret/);
    referralUrl = new URL(page.url()).pathname;
    await w.h1(`${t('referral.title')}: ${SUBJECT.name}`);
    await w.text(t('status.received'), page.locator('main .badge'));
  });

  await w.step('Koordinator planlægger en møderække', async () => {
    await w.submit(page.getByRole('link', { name: t('nav.meetings'), exact: true }), /\/moeder$/);
    await w.h1(t('meetings.title'));
    await w.submit(page.getByRole('link', { name: t('meetings.new'), exact: true }), /\/moeder\/ny$/);
    await w.h1(t('series.title'));
    await labelled(page, t('series.name')).fill(SERIES);
    await labelled(page, t('series.first_date')).fill(iso(FIRST_MEETING));
    await labelled(page, t('series.first_time')).fill('09:00');
    await labelled(page, t('series.interval')).fill('14');
    await labelled(page, t('series.duration')).fill('90');
    await labelled(page, t('series.cutoff')).fill('21');
    await labelled(page, t('series.location')).fill('Rådhuset, mødelokale 3');
    for (const a of Object.values(AGENCIES)) await page.getByLabel(a.name, { exact: true }).check();
    await labelled(page, t('series.occurrences')).fill('3');
    await w.submit(page.getByRole('button', { name: t('series.submit'), exact: true }), /\/moeder\/[^/?]+\?status=/);
    meetingUrl = new URL(page.url()).pathname;
    await w.notice(t('series.created'));
    await w.h1(new RegExp(`^${escapeRe(SERIES)} ${escapeRe(danish(FIRST_MEETING))}`));
    await w.text(t('agenda.not_built'));
  });

  await w.step('Dagsordenen dannes: henvendelsen står på den', async () => {
    await w.submit(page.getByRole('button', { name: t('agenda.build'), exact: true }), new RegExp(`${escapeRe(meetingUrl)}\\?status=`));
    await w.notice(t('agenda.built'));
    await expectItem(w, referralUrl, t('agenda_reason.new_referral', { date: danish(TODAY) }));
  });

  await w.step('Koordinator visiterer henvendelsen til en forebyggende sag', async () => {
    await w.submit(page.locator('.agenda-item').getByRole('link', { name: SUBJECT.name, exact: true }), new RegExp(`${escapeRe(referralUrl)}$`));
    const form = w.form(t('screening.decide_heading'));
    await form.getByRole('radio', { name: t('outcome.prevention_case'), exact: true }).check();
    await labelled(form, t('referral.case_lead_agency')).selectOption({ label: AGENCIES.KK.name });
    await w.submit(form.getByRole('button', { name: t('screening.decide_submit'), exact: true }), /\/sager\/[^/?]+\?status=oprettet/);
    caseUrl = new URL(page.url()).pathname;
    await w.notice(t('case.created'));
    await w.h1(t('case_status.open'));
  });

  await w.step('Sagen ønskes drøftet på næste møde', async () => {
    const form = page.locator('form', { has: page.getByRole('button', { name: t('flag.submit'), exact: true }) });
    await labelled(form, t('flag.note')).fill(FLAG_NOTE);
    await w.submit(form.getByRole('button', { name: t('flag.submit'), exact: true }), /\/sager\/[^/?]+\?status=droeftes/);
    await w.notice(t('flag.flagged'));
  });

  await w.step('Dagsordenen dannes igen: sagen står på den', async () => {
    await w.goto(meetingUrl);
    await w.submit(page.getByRole('button', { name: t('agenda.rebuild'), exact: true }), new RegExp(`${escapeRe(meetingUrl)}\\?status=`));
    await w.notice(t('agenda.built'));
    await expectItem(w, caseUrl, t('agenda_reason.flagged', { agency: AGENCIES.KK.code, date: danish(TODAY) }));
    await page.locator('.agenda-item', { has: page.locator(`a[href="${caseUrl}"]`) }).scrollIntoViewIfNeeded();
  });

  await w.step('Dagsordenen offentliggøres', async () => {
    await w.submit(page.getByRole('button', { name: t('agenda.publish'), exact: true }), new RegExp(`${escapeRe(meetingUrl)}\\?status=`));
    await w.notice(t('agenda.published'));
    await expectItem(w, caseUrl, t('agenda_reason.flagged', { agency: AGENCIES.KK.code, date: danish(TODAY) }));
  });

  await w.step('Koordinator logger af', () => w.logout());

  await w.step('Politiet ser punktet kun som en neutral henvisning', async () => {
    await w.login(police);
    await w.goto(meetingUrl);
    await w.h1(new RegExp(`^${escapeRe(SERIES)} ${escapeRe(danish(FIRST_MEETING))}`));
    const items = await agendaItems(page);
    if (items.length === 0) throw new Error('the published agenda shows the police no items');
    const named = items.filter((i) => i.title.includes(SUBJECT.name) || i.href);
    if (named.length) throw new Error(`the police see the subject or a link: ${named.map((i) => i.title).join(' | ')}`);
    await w.text(t('agenda.neutral_hint'));
    await w.absent(page.getByText(SUBJECT.name), 'the subject\'s name');
  });

  await w.step('Politiet logger af, og sessionen er væk', async () => {
    const before = (await context.cookies(w.base)).filter((c) => c.httpOnly);
    if (before.length === 0) throw new Error('no session cookie while logged in');
    await w.logout();
    const after = await context.cookies(w.base);
    const left = after.filter((c) => before.some((b) => b.name === c.name && b.value === c.value));
    if (left.length) throw new Error(`the browser still holds the session cookie ${left.map((c) => c.name).join(', ')}`);
    // The page is closed to the browser…
    await page.goto(`${w.base}${meetingUrl}`);
    await page.waitForURL(/\/log-ind/);
    await w.h1(t('login.title'));
    await w.absent(page.getByRole('button', { name: t('layout.logout'), exact: true }), 'the log-off button');
    // …and the server forgot the session: the old cookie replayed opens nothing.
    const cookie = before.map((c) => `${c.name}=${c.value}`).join('; ');
    for (const target of [meetingUrl, caseUrl, '/indbakke']) {
      const response = await fetch(`${w.base}${target}`, {
        headers: { cookie },
        redirect: 'manual',
        signal: AbortSignal.timeout(10_000),
      });
      const location = response.headers.get('location') || '';
      if (response.status < 300 || response.status >= 400 || !location.includes('/log-ind')) {
        throw new Error(`the old session cookie still opens ${target} (HTTP ${response.status}, location "${location}")`);
      }
    }
  });
}

const shotsDir = path.join(SHOTS, 'agenda');
await run('agenda', shotsDir, async ({ state, tmp, shots }) => {
  const dataDir = path.join(tmp, 'data');
  addAccounts(dataDir, Object.values(AGENCIES), Object.values(USERS), PASSWORD);
  const base = await startServer(dataDir, state);
  console.log(`e2e agenda: infohus at ${base}`);
  const { context, page } = await launch(state, path.join(tmp, 'chromium-profile'));
  const w = new Walk(page, base, { shots, password: PASSWORD });
  state.walk = w;
  await walkThrough(w, context);
  w.finish();
  console.log(`e2e agenda: passed ${w.steps} steps with ${w.shots.length} screenshots in ${path.relative(ROOT, shots)}/`);
});
