// The console's shell: who is signed in, the navigation, and one page at a time chosen by the
// address's fragment (#/board, #/briefing/b1, #/auditor). Pages are modules with
// show(main, args, me) returning a function that stops their timers and event streams.
import { api, ProblemError } from './api.js';
import { h, render, announce } from './dom.js';
import { problemView } from './views.js';
import * as signin from './signin.js';
import * as board from './board.js';
import * as briefing from './briefing.js';
import * as auditor from './auditor.js';

const pages = { board, briefing, auditor };
const main = document.getElementById('main');
let me = null;
let stop = () => {};

function defaultPage(who) {
  const roles = who.roles ?? [];
  if (roles.includes('auditor')) return '#/auditor';
  if (roles.some((r) => ['secretariat', 'president', 'bureau', 'working_group'].includes(r))) {
    return '#/board';
  }
  return '#/briefing';
}

function showChrome() {
  const signedIn = me !== null;
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  if (signedIn) {
    const role = (me.roles ?? []).join(', ');
    const acting = me.working_group ?? me.stakeholder;
    document.getElementById('who-name').textContent =
      `${me.actor} (${role}${acting ? ` for ${acting}` : ''})`;
  }
}

// Goes to a page of the console without a second routing: setting a different fragment fires
// hashchange (which routes); the same fragment does not, so route directly.
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

let generation = 0;

async function route() {
  const mine = ++generation;
  stop();
  stop = () => {};
  const [name, ...args] = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // Each routing renders into its own element: a page still loading when another is asked for
  // (a slow fetch, a busy machine) then finishes into a detached element, never over the new page.
  const view = h('div', { class: 'view' });
  render(main, view);
  if (me === null || name === 'signin') {
    stop = signin.show(view, (who) => {
      me = who;
      showChrome();
      // Back to the page asked for before signing in, if any.
      go(pages[name] ? location.hash : defaultPage(who));
    });
    return;
  }
  const page = pages[name];
  if (!page) {
    go(defaultPage(me));
    return;
  }
  let stopPage = () => {};
  try {
    stopPage = (await page.show(view, args, me)) ?? (() => {});
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof ProblemError && error.status === 401) {
      me = null;
      showChrome();
      route();
      return;
    }
    render(view, h('h1', {}, 'Dialogue'), problemView(error));
  }
  if (mine !== generation) {
    stopPage();  // another page was asked for meanwhile
    return;
  }
  stop = stopPage;
  const heading = view.querySelector('h1');
  if (heading) announce(heading.textContent);
}

document.getElementById('sign-out').addEventListener('click', async () => {
  try {
    await api('/v1/session', { method: 'DELETE' });
  } catch (error) {
    console.warn('sign-out', error);
  }
  me = null;
  showChrome();
  go('#/signin');
});

window.addEventListener('hashchange', route);

(async () => {
  try {
    me = await api('/v1/session');
  } catch {
    me = null;
  }
  showChrome();
  if (me && !location.hash.replace(/^#\/?/, '')) history.replaceState(null, '', defaultPage(me));
  await route();
})();
