// The console end to end: headless Chromium (the Debian package) driven by playwright-core,
// against the real `dialogue serve` that scripts/console-test.sh starts. The tests run in order,
// one story: reference data and briefing b1 are seeded through the API; (a) a referral decided
// by the Working Group reaches the open board; (b) a confirmation reaches the open briefing page;
// (c) the auditor verifies the chain and slides back before that confirmation; (d) an NGO is
// refused the board with the API's problem. Each saves a screenshot in SCREENSHOT_DIR.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';

const base = process.env.DIALOGUE_URL;
const tokens = JSON.parse(process.env.DIALOGUE_TOKENS ?? '{}');
const screenshots = process.env.SCREENSHOT_DIR;
assert.ok(base && screenshots && tokens.sec, 'run through scripts/console-test.sh');

let browser;

// A command or read through the API with a bearer token; throws with the problem's text.
async function call(who, method, target, body) {
  const response = await fetch(base + target, {
    method,
    headers: { Authorization: `Bearer ${tokens[who]}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${target} as ${who}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

// A fresh browser context (no cookie) signed in as `who`; width in CSS pixels.
async function signedIn(who, { width = 1280, height = 860 } = {}) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (error) => errors.push(error));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 40[13]/.test(message.text())) {
      errors.push(new Error(message.text()));
    }
  });
  await page.goto(`${base}/`);
  await page.waitForURL(/\/console\/#\/signin$|\/console\/$/);
  await page.getByLabel('Your token').fill(tokens[who]);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#nav').waitFor({ state: 'visible' });
  return { context, page, errors };
}

async function shoot(page, name) {
  await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
}

before(async () => {
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // --disable-dev-shm-usage: containers often give /dev/shm 64 MB, too little for a renderer.
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-dev-shm-usage'],
  });
  // Reference data: the session previous to the briefing, the Working Group and its meeting,
  // two NGOs entitled at that session and a State Party.
  await call('sec', 'POST', '/v1/conference-sessions',
    { id: 'cosp-12', title: 'Twelfth session of the Conference', starts_on: '2026-10-13',
      ends_on: '2026-10-17' });
  await call('sec', 'POST', '/v1/working-groups',
    { id: 'wg-tip', name: 'Working Group on Trafficking in Persons', protocol: 'tip' });
  await call('sec', 'POST', '/v1/meetings',
    { id: 'm-tip-17', working_group: 'wg-tip', starts_on: '2027-03-10', ends_on: '2027-03-12',
      review_agenda_item: true });
  await call('sec', 'POST', '/v1/stakeholders',
    { id: 'ngo-a', name: 'Alliance against Trafficking', category: 'ngo', ecosoc_status: 'special' });
  await call('sec', 'POST', '/v1/stakeholders',
    { id: 'ngo-b', name: 'Borderline Rights', category: 'ngo', ecosoc_status: 'general' });
  await call('sec', 'POST', '/v1/stakeholders',
    { id: 'at', name: 'Austria', category: 'state_party', instruments: { tip: 'party' } });
  for (const id of ['ngo-a', 'ngo-b']) {
    await call('sec', 'POST', `/v1/stakeholders/${id}/observer-entitlements`,
      { conference_session: 'cosp-12' });
  }
  // Briefing b1 on the margins of m-tip-17, both NGOs invited.
  await call('president', 'POST', '/v1/briefings',
    { id: 'b1', title: "Victims' assistance in the review process" });
  await call('sec', 'POST', '/v1/briefings/b1/convening',
    { meeting: 'm-tip-17', date: '2027-03-11', bureau_member: 'bureau-eva',
      timezone: 'Europe/Vienna' });
  await call('sec', 'POST', '/v1/briefings/b1/invitations', { stakeholders: ['ngo-a', 'ngo-b'] });
});

after(async () => {
  await browser?.close();
});

test('(a) a Bureau member sees a pending referral, and its decision arrives live', async () => {
  await call('state', 'POST', '/v1/briefings/b1/participants/ngo-b/objection',
    { grounds: 'Not relevant to the review of the Trafficking Protocol' });
  const { context, page, errors } = await signedIn('bureau');
  await page.waitForURL(/#\/board$/);
  const row = page.locator('tr[data-referral="b1.ngo-b"]');
  await row.waitFor();
  assert.equal(await row.getAttribute('data-status'), 'pending');
  const text = await row.innerText();
  assert.match(text, /b1/);
  assert.match(text, /Borderline Rights \(ngo-b\)/);
  assert.match(await page.locator('section.group h2').innerText(),
    /Working Group on Trafficking in Persons \(wg-tip\)/);
  assert.match(text, /Austria \(at\)/);
  assert.match(text, /\d+ (s|min)/);  // how long it has been pending
  await page.locator('#live-state[data-state="live"]').waitFor();
  await shoot(page, 'a-board-pending');

  // No reload: a mark on the window survives only if the page stays.
  await page.evaluate(() => { window.stillTheSamePage = true; });
  await call('wg', 'POST', '/v1/referrals/b1.ngo-b/decision',
    { outcome: 'admitted', reasons: 'Its work bears on the review' });
  const decided = page.locator('tr[data-referral="b1.ngo-b"][data-status="decided"]');
  await decided.waitFor({ timeout: 10_000 });
  assert.match(await decided.innerText(), /admitted/);
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true);
  assert.equal(await page.locator('section.group h3').first().innerText(), 'Pending (0)');
  await shoot(page, 'a-board-decided');

  // The same board at a phone's width.
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'a-board-phone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('(b) the briefing page shows a confirmation made through the API, live', async () => {
  const { context, page, errors } = await signedIn('sec');
  await page.goto(`${base}/console/#/briefing/b1`);
  await page.locator('#live-state[data-state="live"]').waitFor();
  const status = page.locator('tr[data-stakeholder="ngo-a"] .participant-status');
  assert.equal(await status.innerText(), 'invited');
  // The deadline in Vienna time (March 2027: CET), ten days before, with a countdown.
  const facts = await page.locator('#facts').innerText();
  assert.match(facts, /1 Mar 2027, 23:59 CET/);
  assert.match(facts, /\d+ d \d+ h left/);

  await page.evaluate(() => { window.stillTheSamePage = true; });
  await call('ngo_a', 'POST', '/v1/briefings/b1/participants/ngo-a/confirmation',
    { written_comments: 'We will present our shelter work in Viet Nam and Austria.' });
  await page.locator('tr[data-stakeholder="ngo-a"] .status-confirmed').waitFor({ timeout: 10_000 });
  const marks = await page.locator('tr[data-stakeholder="ngo-a"] mark.mention').allInnerTexts();
  assert.deepEqual(marks, ['Viet Nam', 'Austria']);
  const newest = page.locator('#history li').first();
  assert.match(await newest.innerText(), /confirm/i);
  assert.equal(await page.evaluate(() => window.stillTheSamePage), true);
  await shoot(page, 'b-briefing-confirmed');
  await page.setViewportSize({ width: 390, height: 844 });
  await shoot(page, 'b-briefing-phone');
  assert.deepEqual(errors, []);
  await context.close();
});

test('(c) the auditor verifies the ledger and slides back to an earlier status', async () => {
  const { context, page, errors } = await signedIn('auditor');
  await page.waitForURL(/#\/auditor$/);
  const head = await call('auditor', 'GET', '/v1/ledger/head');
  assert.equal(await page.locator('#head-position').innerText(), String(head.position));
  await page.getByRole('button', { name: 'Verify the hash chain' }).click();
  await page.locator('#verify-result .ok').waitFor();
  assert.match(await page.locator('#verify-result').innerText(),
    new RegExp(`intact: every event up to position ${head.position}`));

  // The signed checkpoint of the same head, and the latest events proved in the browser.
  await page.locator('#checkpoint-size').waitFor();
  assert.equal(await page.locator('#checkpoint-size').innerText(), String(head.position));
  const checkpoint = await (await fetch(`${base}/v1/ledger/checkpoint`,
    { headers: { Authorization: `Bearer ${tokens.auditor}` } })).text();
  assert.equal(await page.locator('#checkpoint-root').innerText(), checkpoint.split('\n')[2]);
  const proved = page.locator('#recent-proofs .inclusion-ok');
  await page.waitForFunction(() => document.querySelectorAll('#recent-proofs .inclusion-ok').length >= 1 &&
    document.querySelectorAll('#recent-proofs .inclusion:not(.inclusion-ok):not(.inclusion-bad)').length === 0);
  assert.equal(await proved.count(), Math.min(10, head.position));
  assert.equal(await page.locator('.inclusion-bad').count(), 0);

  await page.getByLabel('Stream', { exact: true }).fill('briefing-b1');
  await page.getByRole('button', { name: 'Show' }).click();
  const ngoA = page.locator('#as-of-entity tr[data-stakeholder="ngo-a"] .participant-status');
  await ngoA.waitFor();
  assert.equal(await ngoA.innerText(), 'confirmed');
  // Back along the positions of the briefing and its referral: one step, before ngo-a's
  // confirmation (ngo-b is back from its admitted referral); two steps, ngo-b under referral.
  const ngoB = page.locator('#as-of-entity tr[data-stakeholder="ngo-b"] .participant-status');
  const slider = page.getByLabel(/^Position/);
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await page.locator('#as-of-entity .as-of-note', { hasText: 'ReferralDecided' }).waitFor();
  assert.equal(await ngoA.innerText(), 'invited');
  assert.equal(await ngoB.innerText(), 'invited');
  await page.keyboard.press('ArrowLeft');
  await page.locator('#as-of-entity .as-of-note', { hasText: 'ReferredToWorkingGroup' }).waitFor();
  assert.equal(await ngoB.innerText(), 'under referral');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  await page.locator('#as-of-entity .as-of-note', { hasText: 'AttendanceConfirmed' }).waitFor();
  assert.equal(await ngoA.innerText(), 'confirmed');
  await page.keyboard.press('ArrowLeft');
  await page.locator('#as-of-entity .as-of-note', { hasText: 'ReferralDecided' }).waitFor();
  assert.equal(await ngoA.innerText(), 'invited');
  // The position shown is proved in the signed tree too.
  await page.locator('#as-of-entity .as-of-note .inclusion-ok').waitFor();
  await shoot(page, 'c-auditor-as-of');
  assert.deepEqual(errors, []);
  await context.close();
});

test("(d) an NGO's token cannot see the referral board: the page shows the 403 problem", async () => {
  // A wrong token first: the sign-in shows the 401 problem and no session is made.
  const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
  const page = await context.newPage();
  await page.goto(`${base}/console/`);
  await page.getByLabel('Your token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#signin-result [role="alert"]').waitFor();
  assert.match(await page.locator('#signin-result').innerText(), /unknown bearer token/);
  assert.equal(await page.locator('#sign-out').isVisible(), false);  // nobody to sign out
  assert.equal(await page.locator('#nav').isVisible(), false);
  await shoot(page, 'd-signin-refused');
  assert.deepEqual(await context.cookies(), []);
  await context.close();

  const ngo = await signedIn('ngo_b');
  const cookies = await ngo.context.cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');
  assert.equal(await ngo.page.evaluate(() => document.cookie), '');  // HttpOnly: not for scripts
  await ngo.page.goto(`${base}/console/#/board`);
  const problem = ngo.page.locator('main [role="alert"]');
  await problem.waitFor();
  const text = await problem.innerText();
  assert.match(text, /403/);
  assert.match(text, /role not allowed to GET \/v1\/referrals/);
  assert.equal(await ngo.page.locator('#board').count(), 0);
  await shoot(ngo.page, 'd-ngo-forbidden');
  await ngo.context.close();
});

test('(e) a page still loading when another is opened never draws over it', async () => {
  // The board's last read is held back until the briefing page is up and live: the board then
  // finishes loading too late, and must not replace the briefing (nor leave its stream open).
  const { context, page, errors } = await signedIn('sec');
  await page.waitForURL(/#\/board$/);
  await page.goto(`${base}/console/#/signin`);
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  await page.route('**/v1/working-groups', async (route) => {
    await released;
    await route.continue();
  });
  // Listening before the navigation: the board may ask at once.
  const requested = page.waitForRequest('**/v1/working-groups');
  await page.goto(`${base}/console/#/board`);
  await requested;
  await page.goto(`${base}/console/#/briefing/b1`);
  await page.locator('#live-state[data-state="live"]').waitFor();
  const finished = page.waitForEvent('requestfinished', (r) => r.url().endsWith('/v1/working-groups'));
  release();
  await finished;
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
  assert.equal(await page.locator('#board').count(), 0);
  assert.equal(await page.locator('#briefing-title').count(), 1);
  assert.equal(await page.locator('#live-state[data-state="live"]').count(), 1);
  await shoot(page, 'e-briefing-kept');
  await page.unroute('**/v1/working-groups');
  assert.deepEqual(errors, []);
  await context.close();
});
