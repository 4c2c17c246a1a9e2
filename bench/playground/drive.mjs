#!/usr/bin/env node
// Drives Microsoft 365 Agents Playground in headless Chromium through the bot's main screens — help menu, settings,
// a new project, time registration, timesheet, budget chart, status, milestones, risks, portfolio, board report,
// handover, and a meeting planned in a team channel — and saves screenshots at a phone-sized viewport (and a few at
// desktop size). A manual tool: see README.md.
//
//   cd /tmp/playground && node /work/main/bench/playground/drive.mjs [--out DIR] [--url URL] [--log FILE]
//        [--text FILE] [--chromium PATH] [--code DT-042] [--only-phone] [--demo [--try FILE]]
//
// Needs a fresh bot database in which the Playground's user (alexw@example.com) is an admin and the projects of
// README.md are imported, and a freshly started Playground. With --demo: a fresh database with `projectbot demo`
// loaded and nobody admin; it walks the demo (first-run greeting, projects, portfolio, status, budget, timesheet,
// in Dutch and English), and --try FILE then types each line of FILE and notes the answer in the text file. Exits 1 when a step fails, the bot answers with an
// apology or a refusal, or the Playground logs a non-2xx status.
//
// playwright-core is loaded from the current directory's node_modules (it is not a dependency of this repo).

import { createRequire } from 'node:module';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const URL = opt('--url', process.env.PLAYGROUND_URL ?? 'http://localhost:56150');
const OUT = resolve(opt('--out', join(here, '..', '..', 'docs', 'screenshots')));
const CHROMIUM = opt('--chromium', process.env.CHROMIUM ?? '/usr/bin/chromium');
const CODE = opt('--code', 'DT-042');
const PHONE = { width: 390, height: 844 };
const PHONE_MAX_HEIGHT = 3 * PHONE.height; // a taller card is cut here (the log says how many screens it takes)
const DESKTOP = { width: 1280, height: 800 };
const DESKTOP_SHOTS = !args.includes('--only-phone');
const DEMO = args.includes('--demo');
// --try FILE (with --demo): type each line of FILE after the walk and write what the bot answered to the text file.
const TRY = opt('--try', null);
const LOG = resolve(opt('--log', 'playground-log.txt'));
const TEXT = resolve(opt('--text', 'cards.txt'));

const require = createRequire(join(process.cwd(), 'noop.js'));
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch {
  console.error('playwright-core not found: run this from a directory where `npm install playwright-core` was done');
  process.exit(2);
}

// Dates relative to today, so the budget chart, late milestones and the meeting make sense whenever this runs.
const day = (offset) => {
  const d = new Date();
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const nextWeekday = (weekday) => {
  const today = new Date().getDay();
  return day(((weekday - today + 7) % 7) || 7);
};

mkdirSync(OUT, { recursive: true });
writeFileSync(TEXT, '');
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  env: { ...process.env, TZ: process.env.TZ ?? 'Europe/Brussels' },
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync',
  ],
});
const problems = [];
const step = (msg) => console.log(`-- ${msg}`);
const note = (title, text) => appendFileSync(TEXT, `\n===== ${title} =====\n${text.trim()}\n`);

try {
  const page = await browser.newPage({ viewport: DESKTOP });
  page.on('pageerror', (err) => console.log(`page error: ${err.message}`));
  await page.goto(URL, { waitUntil: 'load' });

  const editors = page.locator('[role=textbox][data-lexical-editor]');
  const composer = editors.first();
  await composer.waitFor({ timeout: 20000 });
  const cards = page.locator('.ac-adaptiveCard');

  // The conversation pane: the lowest ancestor of the (first) composer that also holds the messages. Marked again
  // after switching to another conversation, which renders a new pane.
  async function markPane() {
    await page.evaluate(() => {
      document.querySelectorAll('[data-drive-pane]').forEach((e) => e.removeAttribute('data-drive-pane'));
      let e = document.querySelector('[role=textbox][data-lexical-editor]');
      while (e && e.getBoundingClientRect().height < 400) e = e.parentElement;
      e.setAttribute('data-drive-pane', '');
    });
  }
  await markPane();
  await page.addStyleTag({
    content: `
      [data-drive-pane].drive-phone { position: fixed !important; inset: 0 !important; width: 100vw !important;
        height: 100vh !important; min-width: 0 !important; max-width: none !important; z-index: 100000 !important;
        padding-right: 12px !important; box-sizing: border-box !important;
        background: #fff; }
      /* The Playground gives each card a fixed desktop width; on a phone Teams fits the card to the screen. */
      [data-drive-pane].drive-phone :has(.ac-adaptiveCard) { min-width: 0 !important; max-width: 100% !important; }
      [data-drive-pane].drive-phone :has(> .ac-preview-panel) { width: auto !important; }
      [data-drive-pane].drive-phone .ac-adaptiveCard { width: auto !important; }
      /* ... and as wide as the message column, not shrunk to its content. */
      [data-drive-pane].drive-phone *:has(.ac-adaptiveCard) { align-items: stretch !important; }
      [data-drive-pane].drive-phone *:has(.ac-adaptiveCard):not([data-drive-pane]) { flex-grow: 1 !important;
        width: auto !important; margin-right: 0 !important; }
      [data-drive-pane].drive-phone .ac-adaptiveCard { flex: 1 1 auto !important; }
      /* The Playground's notice under each card that asks for msteams.width "Full" (Teams shows no such line). */
      [data-drive-hidden] { display: none !important; }
      [data-portal-node], .fui-Portal, [role=listbox] { z-index: 100001 !important; }`,
  });
  const pane = page.locator('[data-drive-pane]');

  async function typeIn(editor, text) {
    await editor.click();
    await editor.fill(text);
  }

  // Types a line in the personal chat and waits for a new card that contains `expect`.
  async function send(text, expect) {
    const before = await cards.count();
    await typeIn(composer, text);
    await page.keyboard.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('.ac-adaptiveCard').length > n, before, {
      timeout: 15000,
    });
    const card = cards.filter({ hasText: expect }).last();
    await card.waitFor({ timeout: 15000 });
    return card;
  }

  // Types a line and returns the text of everything shown after it, once the chat has been still for two seconds
  // (an answer may be a card, a text, several, or a file card the Playground does not show).
  async function sendAny(text) {
    await typeIn(composer, text);
    await page.keyboard.press('Enter');
    let last = '';
    let still = 0;
    for (let waited = 0; waited < 30000 && still < 4; waited += 500) {
      await page.waitForTimeout(500);
      const now = await pane.innerText();
      still = now === last ? still + 1 : 0;
      last = now;
    }
    return last.slice(last.lastIndexOf(text) + text.length).trim();
  }

  // Presses a card's button and waits for a card (the same one, updated in place, or a new one) with `expect`.
  async function press(card, button, expect) {
    await card.getByRole('button', { name: button, exact: true }).first().click();
    const next = cards.filter({ hasText: expect }).last();
    await next.waitFor({ timeout: 15000 });
    await page.waitForTimeout(500);
    return next;
  }

  // Form helpers: inputs are found by their label (the accessible name the Playground gives them).
  const textbox = (card, label) => card.getByRole('textbox', { name: label, exact: true });
  async function fill(card, label, value) {
    await textbox(card, label).fill(value);
  }
  async function choose(card, label, option) {
    await card.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: option, exact: true }).click();
    await page.waitForTimeout(150);
  }
  async function chooseMany(card, label, options) {
    await card.getByRole('combobox', { name: label, exact: true }).click();
    for (const option of options) await page.getByRole('menuitemcheckbox', { name: option, exact: true }).click();
    await page.keyboard.press('Escape');
  }
  async function pickDate(card, label, iso) {
    const input = card.getByRole('combobox', { name: label, exact: true });
    await input.fill(iso);
    await page.keyboard.press('Tab');
    if (!(await input.inputValue())) throw new Error(`the date picker "${label}" did not take ${iso}`);
  }
  async function pickTime(card, label, shown) {
    await card.getByRole('combobox', { name: label, exact: true }).click();
    await page.getByRole('option', { name: shown, exact: true }).click();
  }

  // Scrolls so that the card (or its top, if taller than the pane) is in view.
  async function reveal(card) {
    await card.evaluate((el) => {
      const scroller = (() => {
        let p = el.parentElement;
        while (p && !(p.scrollHeight > p.clientHeight + 2 && getComputedStyle(p).overflowY !== 'visible')) {
          p = p.parentElement;
        }
        return p;
      })();
      if (!scroller) return;
      const box = el.getBoundingClientRect();
      const view = scroller.getBoundingClientRect();
      const composerTop = document.querySelector('[role=textbox][data-lexical-editor]').getBoundingClientRect().top;
      const bottom = composerTop > view.top + 100 ? Math.min(view.bottom, composerTop) : view.bottom;
      const usable = bottom - view.top;
      // The card's bottom just above the composer, unless it is too tall: then its top (with the header above it).
      const delta = box.height + 60 < usable ? box.bottom - (view.top + usable) + 16 : box.top - view.top - 48;
      scroller.scrollTop += delta;
    });
    await page.waitForTimeout(300);
  }

  // The Playground renders a card again when the pane changes width, and a card rendered again forgets what was
  // typed in it: forms are therefore filled at phone width (after toPhone) and submitted before going back.
  let phoneMode = false;
  async function hideNotices() {
    await page.evaluate(() => {
      for (const e of document.querySelectorAll('span.fui-Text')) {
        if (/^Full width control is not supported/.test(e.textContent)) e.parentElement.parentElement.setAttribute('data-drive-hidden', '');
      }
    });
  }

  async function toPhone() {
    await hideNotices();
    if (phoneMode) return;
    await page.setViewportSize(PHONE);
    await pane.evaluate((el) => el.classList.add('drive-phone'));
    await page.waitForTimeout(400);
    phoneMode = true;
  }
  async function toDesktop() {
    if (!phoneMode) return;
    await pane.evaluate((el) => el.classList.remove('drive-phone'));
    await page.setViewportSize(DESKTOP);
    await page.waitForTimeout(300);
    phoneMode = false;
  }

  // Phone-sized shots of every step, tall enough for the whole card (up to PHONE_MAX_HEIGHT); desktop ones only
  // where they show something the phone one does not. `keepPhone` stays at phone width (a form to submit next).
  // `from`: an element above the card (a text message) that the shot shows too.
  async function capture(name, card, { desktop = false, keepPhone = false, from = null } = {}) {
    note(name, await card.innerText());
    await hideNotices();
    if (desktop && DESKTOP_SHOTS && !phoneMode) {
      await reveal(card);
      const box = await pane.boundingBox();
      await page.screenshot({ path: join(OUT, `desktop-${name}.png`), clip: box });
    }
    await toPhone();
    const cardBox = await card.boundingBox();
    const cardHeight = from ? cardBox.y + cardBox.height - (await from.boundingBox()).y : cardBox.height;
    // What the screen shows besides the messages (composer, header above the card): the phone's height minus the
    // height of the scrolling message list.
    const chrome = await card.evaluate((el) => {
      let p = el.parentElement;
      while (p && !(p.scrollHeight > p.clientHeight + 2 && getComputedStyle(p).overflowY !== 'visible')) p = p.parentElement;
      return window.innerHeight - (p ? p.clientHeight : window.innerHeight) + 110;
    });
    const screens = (cardHeight + chrome) / PHONE.height;
    const height = Math.min(PHONE_MAX_HEIGHT, Math.max(PHONE.height, Math.ceil(cardHeight + chrome)));
    await page.setViewportSize({ width: PHONE.width, height });
    await page.waitForTimeout(300);
    await reveal(card);
    await page.screenshot({ path: join(OUT, `phone-${name}.png`) });
    if (!keepPhone) await toDesktop();
    step(`saved ${name} (card ${Math.round(cardHeight)} px high at phone width: ${screens.toFixed(1)} phone screens)`);
  }

  async function waitForImages(card) {
    await page.waitForFunction(
      (el) => [...el.querySelectorAll('img')].every((img) => img.complete && img.naturalWidth > 0),
      await card.elementHandle(),
      { timeout: 15000 },
    );
  }

  async function settingsLanguage(label, saved) {
    const form = await send('instellingen', /Your settings|Jouw instellingen/);
    await form.getByRole('combobox').first().click(); // the language; the form also has a time picker
    await page.getByRole('option', { name: label, exact: true }).click();
    // The form is in the language of the word typed ("instellingen": Dutch, even under en-US Teams).
    await form.getByRole('textbox', { name: /^(Tijdzone|Time zone)$/ }).fill('');
    await form.getByRole('button', { name: /^(Opslaan|Save)$/ }).click();
    await page.getByText(saved).last().waitFor({ timeout: 15000 });
  }

  // The walk from a fresh database with the Playground user as admin and four imported projects (README.md).
  async function classicWalk() {
    // 1. The welcome card, sent on install (only once per conversation and database).
    step('welcome card');
    const welcome = cards.filter({ hasText: 'projectbot' }).first();
    try {
      await welcome.waitFor({ timeout: 15000 });
      await capture('01-welcome', welcome);
    } catch {
      problems.push('no welcome card (was the greeting already sent in this conversation? use a fresh database)');
    }

    // The Playground always sends locale en-US: to see the Dutch cards, the user first chooses Nederlands.
    step('make the Playground user Dutch (settings → Nederlands)');
    await settingsLanguage('Nederlands', /Je instellingen zijn (bewaard|opgeslagen)/);

    // 2. The help menu in Dutch, and its settings entry.
    step('hulp');
    const menu = await send('hulp', 'Waarmee kan ik helpen?');
    await capture('02-menu-nl', menu);
    step('menu → Jij en je gegevens → Instellingen');
    // The menu's sections are folded: tapping a section's header unfolds it (Action.ToggleVisibility, on the
    // client); each row is a button as a whole (its selectAction's title is the entry's name).
    // Resizing the window re-renders the card, folded again: unfold it at phone width for the picture, and once more
    // at desktop width to tap the row.
    const youSection = menu.getByRole('button', { name: 'Jij en je gegevens', exact: true });
    const settingsRow = menu.getByRole('button', { name: 'Instellingen', exact: true });
    await toPhone();
    await youSection.click();
    await settingsRow.waitFor(); // hidden until the section unfolds
    await capture('02b-menu-unfolded-nl', menu);
    if (!(await settingsRow.isVisible())) await youSection.click();
    const count = await cards.count();
    await settingsRow.click();
    await page.waitForFunction((n) => document.querySelectorAll('.ac-adaptiveCard').length > n, count);
    const settings = cards.filter({ hasText: 'Jouw instellingen' }).last();
    await capture('03-settings-nl', settings);

    // 3. A new project, through the form.
    step(`nieuw project → ${CODE}`);
    let form = await send('nieuw project', 'Nieuw project');
    await toPhone();
    await fill(form, 'Projectcode (bv. DT-042)', CODE);
    await fill(form, 'Naam', 'Digitaal dossier kinderopvang');
    await choose(form, 'Domein', 'Digitale transformatie');
    await fill(form, 'Beschrijving', 'Ouders vragen een plaats in de kinderopvang aan via één digitaal dossier in plaats van op papier.');
    await fill(form, 'Doel', 'Tegen juni 2027 komt minstens 80 % van de aanvragen digitaal binnen.');
    await fill(form, 'Scope', 'Aanvraagformulier, wachtlijst, koppeling met het rijksregister. Niet: facturatie.');
    await fill(form, 'Coördinator', 'alexw@example.com');
    await fill(form, 'Manager', 'meganb@example.com');
    await chooseMany(form, 'Lokale besturen', ['Gemeente Lier', 'Gemeente Duffel']);
    await pickDate(form, 'Geplande start', day(-90));
    await pickDate(form, 'Gepland einde', day(120));
    await fill(form, 'Budget (uren)', '400');
    await capture('04-project-form-nl', form, { keepPhone: true });
    const project = await press(form, 'Opslaan', 'Projectteam');
    await capture('05-project-card-nl', project);

    // 4. Time: some history for the chart (no screenshots), then the entry of the brief.
    step('time entries');
    for (const [text, expect] of [
      [`registreer 6u ${CODE} ${day(-75)} kick-off`, 'Uren geregistreerd'],
      [`registreer 12u ${CODE} ${day(-60)} workshops met de gemeenten`, 'Uren geregistreerd'],
      [`registreer 7u30 ${CODE} ${day(-30)}`, 'Uren geregistreerd'],
      [`registreer 3u ${CODE} ${day(-12)}`, 'Uren geregistreerd'],
      [`registreer 1u30 ${CODE} gisteren`, 'Uren geregistreerd'],
      [`plan 4u ${CODE} volgende dinsdag`, /Uren (gepland|geregistreerd)/],
    ]) {
      const answer = await send(text, expect);
      note(`(seed) ${text}`, await answer.innerText());
    }
    const logged = await send(`registreer 2u30 ${CODE} #analyse workshop met de dienst`, 'Uren geregistreerd');
    await capture('06-time-logged-nl', logged);
    await capture('07-timesheet-nl', await send('uren', 'Urenstaat'));
    let budget = await send(`budget ${CODE}`, `Uren ${CODE}`);
    // The first chart starts the render worker: on a busy machine the card may come without it. Ask again then.
    if (!(await budget.locator('img').count())) budget = await send(`budget ${CODE}`, `Uren ${CODE}`);
    await waitForImages(budget);
    await capture('08-budget-nl', budget, { desktop: true });

    // 5. Status: the form, then the status card.
    step(`update ${CODE}`);
    form = await send(`update ${CODE}`, `Statusupdate ${CODE}`);
    await toPhone();
    await choose(form, 'Algemeen', '🟠 Risico');
    await choose(form, 'Planning', '🟠 Risico');
    await choose(form, 'Budget', '🟢 Op schema');
    await choose(form, 'Scope', '🟢 Op schema');
    await fill(form, 'Samenvatting', 'De analyse is bijna rond; de keuze van de leverancier loopt twee weken achter.');
    await fill(form, 'Bereikt sinds de vorige update', 'Workshops met drie gemeenten gehouden; processen in kaart gebracht.');
    await fill(form, 'Volgende stappen', 'Lastenboek afwerken (Alex), gunning voorbereiden (Megan).');
    await fill(form, 'Nodige beslissingen', 'Stuurgroep: akkoord met de uitgestelde gunning.');
    await capture('09-status-form-nl', form, { keepPhone: true });
    await press(form, 'Update opslaan', `Status ${CODE}`);
    await toDesktop();

    // Milestones and risks, through their forms (no screenshots of the forms).
    step('milestones');
    let list = await send(`mijlpalen ${CODE}`, `Mijlpalen ${CODE}`);
    for (const [name, date, text] of [
      ['Processen in kaart gebracht', day(-15), 'De processen van de drie gemeenten beschreven en goedgekeurd.'],
      ['Lastenboek klaar', day(6), ''],
      ['Gunning leverancier', day(48), 'Beslissing in de raad van bestuur.'],
    ]) {
      form = await press(list, 'Mijlpaal toevoegen', `Nieuwe mijlpaal voor ${CODE}`);
      await fill(form, 'Mijlpaal', name);
      await pickDate(form, 'Datum', date);
      await fill(form, 'Omschrijving', text);
      list = await press(form, 'Opslaan', `Mijlpaal “${name}” opgeslagen`);
    }
    step('risks');
    list = await send(`risico's ${CODE}`, `Risico's ${CODE}`);
    for (const [name, chance, impact, measure, owner] of [
      ['Leverancier levert de koppeling met het rijksregister te laat', '4 — hoog', '4 — hoog',
        'Koppeling als aparte mijlpaal in het lastenboek; boeteclausule.', 'meganb@example.com'],
      ['Gemeenten gebruiken elk een ander aanvraagformulier', '3 — gemiddeld', '2 — laag',
        'Eén gemeenschappelijk formulier afspreken in de werkgroep.', 'alexw@example.com'],
    ]) {
      form = await press(list, 'Risico toevoegen', `Nieuw risico voor ${CODE}`);
      await fill(form, 'Risico', name);
      await choose(form, 'Kans (1–5)', chance);
      await choose(form, 'Impact (1–5)', impact);
      await fill(form, 'Maatregel', measure);
      await fill(form, 'Eigenaar', owner);
      list = await press(form, 'Opslaan', `Risico “${name}” opgeslagen`);
    }

    await capture('10-status-nl', await send(`status ${CODE}`, `Status ${CODE}`));
    await capture('11-milestones-nl', await send(`mijlpalen ${CODE}`, `Mijlpalen ${CODE}`));
    await capture('12-risks-nl', await send(`risico's ${CODE}`, `Risico's ${CODE}`));

    // A red project for the portfolio (imported, coordinated by the Playground user too).
    step('update DT-038 (red)');
    form = await send('update DT-038', 'Statusupdate DT-038');
    await choose(form, 'Algemeen', '🔴 Ontspoord');
    await choose(form, 'Planning', '🔴 Ontspoord');
    await choose(form, 'Budget', '🟠 Risico');
    await choose(form, 'Scope', '🟢 Op schema');
    await fill(form, 'Samenvatting', 'De leverancier haalt de testdatum niet; de livegang schuift minstens een maand op.');
    await press(form, 'Update opslaan', 'Status DT-038');

    await capture('13-portfolio-nl', await send('overzicht', 'Overzicht'), { desktop: true });
    // The first document starts the render worker: on a busy machine that can take longer than the turn may wait,
    // and the bot answers (in text) that it is too busy. Ask once more then.
    let report;
    try {
      report = await send(`rapport ${CODE}`, 'raad van bestuur');
    } catch {
      step('rapport: no card (too busy?), asking again');
      report = await send(`rapport ${CODE}`, 'raad van bestuur');
    }
    await capture('14-report-nl', report);

    // 6. The handover: the form, then the plan with its checklist.
    step(`overdracht ${CODE}`);
    form = await send(`overdracht ${CODE}`, 'Overdracht plannen');
    await toPhone();
    await fill(form, 'Wie neemt het project over? (naam of e-mailadres)', 'adelev@example.com');
    await pickDate(form, 'Overdrachtsdatum', day(120));
    await fill(form, 'Hoe lang loopt de nazorg? (duur of einddatum)', '3 maanden');
    await fill(form, 'Wie geeft tweedelijnssupport tijdens de nazorg?', 'isaiahl@example.com');
    await fill(form, 'Wie moeten we nog op voorhand verwittigen?', 'meganb@example.com, kinderopvang@example.be');
    await fill(form, 'Extra punten voor de checklist (één per regel)', 'Wachtlijstregels overdragen aan de dienst kinderopvang');
    await capture('15-handover-form-nl', form, { keepPhone: true });
    const plan = await press(form, 'Opslaan', 'Checklist');
    await capture('16-handover-nl', plan);
    // The box in front of a checklist item ticks it off (Action.Execute from a button inside a column); the card is
    // updated in place.
    step('overdracht: tick the first checklist item');
    await plan.getByRole('button', { name: '☐' }).first().click();
    await cards.filter({ hasText: 'Checklist (1 van 7 klaar)' }).last().waitFor({ timeout: 15000 });

    // 7. A meeting, planned in the team's General channel (a new post that mentions the bot).
    step('channel General → @Test Bot nieuwe vergadering');
    await page.getByRole('treeitem', { name: /General/ }).click();
    await page.waitForTimeout(1500);
    await markPane();
    const channelWelcome = cards.filter({ hasText: 'projectbot' }).first();
    await channelWelcome.waitFor({ timeout: 15000 });
    note('channel welcome', await channelWelcome.innerText());
    const before = await cards.count();
    await composer.click();
    await page.keyboard.type('@Tes');
    await page.getByRole('menuitem', { name: 'Test Bot' }).click();
    await page.keyboard.type(` nieuwe vergadering ${CODE}`);
    await page.getByRole('button', { name: 'Post', exact: true }).click();
    await page.waitForFunction((n) => document.querySelectorAll('.ac-adaptiveCard').length > n, before, {
      timeout: 15000,
    });
    form = cards.filter({ hasText: `Nieuwe vergadering voor ${CODE}` }).last();
    await form.waitFor({ timeout: 15000 });
    await toPhone();
    await fill(form, 'Titel', 'Werkgroep digitaal dossier');
    await choose(form, 'Soort', 'Werkgroep');
    await pickDate(form, 'Datum (eerste vergadering)', nextWeekday(4));
    await pickTime(form, 'Beginuur', '2:00 PM');
    await fill(form, 'Tijdzone', 'Brussel');
    await choose(form, 'Herhaling', 'Om de twee weken');
    await form.getByRole('spinbutton', { name: 'Of: aantal vergaderingen (optioneel)' }).fill('6');
    await fill(form, 'Plaats', 'Stadhuis Lier, zaal 2');
    await form.getByRole('checkbox', { name: 'Belgische feestdagen overslaan' }).check();
    await capture('17-meeting-form-channel-nl', form, { keepPhone: true });
    await capture('18-meetings-channel-nl', await press(form, 'Opslaan', 'Komende vergaderingen'));

    // 8. Back in the personal chat, in English: the menu (screenshot) and the other screens (their text only).
    step('personal chat in English');
    await page.getByRole('treeitem', { name: /Personal Chat/ }).click();
    await page.waitForTimeout(1500);
    await markPane();
    await settingsLanguage('English', /Your settings are (saved|stored)/);
    await capture('19-menu-en', await send('help', 'What can I do for you?'));
    for (const [text, expect] of [
      ['settings', 'Your settings'],
      ['new project', 'New project'],
      [`log 1h ${CODE} analysis`, 'Time logged'],
      ['timesheet', 'Timesheet'],
      [`budget ${CODE}`, `Hours ${CODE}`],
      [`update ${CODE}`, `Status update ${CODE}`],
      [`status ${CODE}`, `Status ${CODE}`],
      [`milestones ${CODE}`, `Milestones ${CODE}`],
      [`risks ${CODE}`, `Risks ${CODE}`],
      ['portfolio', 'Portfolio'],
      [`report ${CODE}`, 'Board report'],
      [`handover ${CODE}`, `Handover ${CODE}`],
      [`meetings ${CODE}`, 'Upcoming meetings'],
    ]) {
      try {
        note(`(en) ${text}`, await (await send(text, expect)).innerText());
      } catch {
        const last = cards.last();
        note(`(en) ${text} — UNEXPECTED`, (await last.count()) ? await last.innerText() : '(no card)');
        problems.push(`"${text}": no card with "${expect}"`);
      }
    }
  }

  // The walk on `projectbot demo` (README.md, "Try it locally"): nobody is admin yet, the Playground user (Alex
  // Wilber) coordinates DT-038 and TI-031 and manages both domains. Dutch words under the Playground's en-US: the
  // bot answers in the language typed and offers once to keep it; Alex declines, so English words get English answers.
  async function demoWalk() {
    step('demo: welcome card');
    await cards.filter({ hasText: 'projectbot' }).first().waitFor({ timeout: 15000 });

    step('demo: projecten (the first message: Alex becomes admin, and the bot says so above the answer)');
    const projects = await send('projecten', 'Je projecten');
    const greeting = page.getByText(/jij bent nu|you are now/).last();
    await greeting.waitFor({ timeout: 15000 });
    note('first-run greeting', await greeting.innerText());
    const offer = cards.filter({ hasText: /Je typte in het Nederlands|You typed in/ }).last();
    await offer.waitFor({ timeout: 15000 });
    await capture('20-first-run-nl', offer, { from: greeting });
    await capture('21-demo-projects-nl', projects);
    await offer.getByRole('button', { name: 'Nee, niet meer vragen', exact: true }).click();
    await page.getByText(/ik vraag het niet meer/).last().waitFor({ timeout: 15000 });

    await capture('22-demo-portfolio-nl', await send('overzicht', 'Overzicht'), { desktop: true });
    await capture('23-demo-status-nl', await send('status DT-038', 'Status DT-038'));
    let budget = await send('budget DT-038', 'Uren DT-038');
    if (!(await budget.locator('img').count())) budget = await send('budget DT-038', 'Uren DT-038');
    await waitForImages(budget);
    await capture('24-demo-budget-nl', budget);
    await capture('25-demo-timesheet-nl', await send('uren', 'Urenstaat'));

    step('demo: in English');
    // `timesheet` first: `portfolio` and `status` are words of both languages, answered in the language last typed.
    await capture('26-demo-timesheet-en', await send('timesheet', 'Timesheet'));
    await capture('27-demo-portfolio-en', await send('portfolio', 'Portfolio'));
    await capture('28-demo-status-en', await send('status DT-038', 'Status DT-038'));

    step('demo: capacity (issue 17)');
    // The heatmap is drawn by a worker process started on first use: ask again when the first card came without it.
    let capacity = await send('bezetting', 'Bezetting');
    if (!(await capacity.locator('img').count())) capacity = await send('bezetting', 'Bezetting');
    await waitForImages(capacity);
    await capture('29-demo-capacity-nl', capacity, { desktop: true });
    await capture('30-demo-my-week-nl', await send('mijn week', 'Mijn week'));
    await capture('31-demo-available-nl', await send('beschikbaar 8u volgende week', 'vrij in week'));
    await capture('32-demo-plan-week-nl', await send('plan 16u DT-038 volgende week', 'Uren gepland voor week'));
    let english = await send('capacity', 'Capacity');
    if (!(await english.locator('img').count())) english = await send('capacity', 'Capacity');
    await waitForImages(english);
    await capture('33-demo-capacity-en', english);

    if (!TRY) return;
    for (const line of readFileSync(TRY, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean)) {
      step(`try: ${line}`);
      note(`(try) ${line}`, await sendAny(line));
    }
  }

  if (DEMO) await demoWalk();
  else await classicWalk();

  // Anything that looks like the bot's apology, error or refusal texts, in any conversation shown.
  const chat = await page.locator('body').innerText();
  for (const bad of ['Sorry', 'er ging bij mij iets mis', 'could not be read', 'kon ik niet lezen', 'no longer supported',
    'niet meer ondersteund', 'did not understand', 'begreep', 'reach my database', 'database nu niet',
    'mag je helaas niet', 'not allowed']) {
    if (chat.includes(bad)) problems.push(`the chat contains "${bad}"`);
  }

  // The Playground's own log panel lists each activity it sent and the bot's HTTP status.
  const log = await page.evaluate(() => {
    const title = [...document.querySelectorAll('div, span')].find((e) => e.textContent.trim() === 'Log Panel');
    let e = title;
    while (e && !/Connected/.test(e.innerText)) e = e.parentElement;
    return e ? e.innerText.trim() : '';
  });
  writeFileSync(LOG, `${log}\n`);
  console.log(`\nPlayground log panel: ${LOG}`);
  for (const line of log.split('\n')) {
    const m = line.match(/(?:Application|Playground) ([a-zA-Z/]+) (\d{3})\b/);
    if (m && !m[2].startsWith('2')) problems.push(`HTTP ${m[2]} for ${m[1]}`);
    if (/not supported/i.test(line) && !/Full width/i.test(line)) console.log(`   ${line}`);
  }
} finally {
  await browser.close();
}

console.log(`card texts: ${TEXT}`);
if (problems.length) {
  console.log('\nPROBLEMS:\n' + problems.map((p) => `  - ${p}`).join('\n'));
  process.exit(1);
}
console.log(`\nscreenshots in ${OUT}`);
