// A briefing under paragraph 59: status, meeting, date, the confirmation deadline in Vienna time
// with a countdown, the participants with their written comments (country mentions marked), and
// the history as sentences, newest first; live.
import { api, follow } from './api.js';
import { h, render, announce } from './dom.js';
import { countdown, day, label, viennaTime } from './format.js';
import { participantsTable, problemView, statusBadge } from './views.js';

async function showList(main) {
  render(main, h('h1', {}, 'Briefings'), h('p', {}, 'Loading…'));
  let briefings = [];
  let failure = null;
  try {
    ({ briefings } = await api('/v1/briefings'));
  } catch (error) {
    failure = error;
  }
  const input = h('input', { id: 'briefing-id', name: 'id', required: true, autocomplete: 'off' });
  const form = h('form', { class: 'card inline-form' },
    h('label', { for: 'briefing-id' }, 'Briefing id'), input,
    h('button', { type: 'submit' }, 'Open'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (input.value.trim()) location.hash = `#/briefing/${encodeURIComponent(input.value.trim())}`;
  });
  render(main, h('h1', {}, 'Briefings'), form,
    failure ? problemView(failure)
      : briefings.length === 0 ? h('p', { class: 'empty' }, 'No briefing to show.')
        : h('ul', { class: 'card list' }, briefings.map((b) => h('li', {},
          h('a', { href: `#/briefing/${encodeURIComponent(b.id)}` }, b.title || b.id),
          ' ', statusBadge(b.status), ' ', b.date ? day(b.date) : ''))));
  return () => {};
}

export async function show(main, args) {
  const id = args[0];
  if (!id) return showList(main);
  render(main, h('h1', {}, `Briefing ${id}`), h('p', {}, 'Loading…'));
  const head = await api('/v1/ledger/head').catch(() => null);
  let briefing;
  try {
    briefing = await api(`/v1/briefings/${encodeURIComponent(id)}`);
  } catch (error) {
    render(main, h('h1', {}, `Briefing ${id}`), problemView(error));
    return () => {};
  }
  let history = null;
  let historyProblem = null;
  const loadHistory = async () => {
    try {
      history = await api(`/v1/streams/${encodeURIComponent(`briefing-${id}`)}/history`);
      historyProblem = null;
    } catch (error) {
      historyProblem = error;
    }
  };
  await loadHistory();

  const liveState = h('span', { class: 'live-state', id: 'live-state' }, 'connecting…');
  const countdownText = h('span', { id: 'countdown' });
  const facts = h('div', { id: 'facts' });
  const participants = h('div', { id: 'participants' });
  const historyList = h('div', { id: 'history' });
  render(main,
    h('div', { class: 'page-head' },
      h('h1', { id: 'briefing-title' }, briefing.title || `Briefing ${id}`),
      h('p', { class: 'live' }, 'Updates: ', liveState)),
    facts,
    h('section', { class: 'card', 'aria-labelledby': 'participants-h' },
      h('h2', { id: 'participants-h' }, 'Participants'), participants),
    h('section', { class: 'card', 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, 'History, newest first'), historyList));

  const tick = () => {
    countdownText.textContent = briefing.confirmation_deadline
      ? countdown(briefing.confirmation_deadline) : '';
  };
  const draw = () => {
    render(facts, h('dl', { class: 'card facts' },
      h('dt', {}, 'Status'), h('dd', { id: 'briefing-status' }, statusBadge(briefing.status)),
      h('dt', {}, 'Meeting'), h('dd', {}, briefing.meeting ?? '—',
        briefing.working_group ? ` (Working Group ${briefing.working_group})` : ''),
      h('dt', {}, 'Date'), h('dd', {}, day(briefing.date)),
      h('dt', {}, 'Confirmations close'), h('dd', {},
        h('time', { datetime: briefing.confirmation_deadline ?? '' },
          viennaTime(briefing.confirmation_deadline)),
        briefing.confirmation_deadline ? [' · ', countdownText] : ''),
      h('dt', {}, 'Bureau member'), h('dd', {}, briefing.bureau_member ?? '—')));
    tick();
    render(participants, participantsTable(briefing.participants, 'Participants of the briefing', { hideCaption: true }));
    if (historyProblem) {
      render(historyList, problemView(historyProblem));
    } else {
      const entries = [...(history?.entries ?? [])].reverse();
      render(historyList, h('ol', { class: 'history', reversed: true },
        entries.map((e) => h('li', { dataset: { position: e.position } },
          h('p', { class: 'sentence' }, e.sentence),
          h('p', { class: 'meta' }, `${viennaTime(e.occurred_at)} · position ${e.position} · ${e.type}`)))));
    }
  };
  draw();

  // Live: the briefing's own stream and its referrals ("referral-<briefing>.<stakeholder>").
  const stopFollowing = follow({
    after: head?.position ?? 0,
    onEvent: async (event) => {
      if (event.stream !== `briefing-${id}` && !event.stream.startsWith(`referral-${id}.`)) return;
      try {
        briefing = await api(`/v1/briefings/${encodeURIComponent(id)}`);
        await loadHistory();
        draw();
        announce(`Briefing updated: ${label(event.type)}.`);
      } catch (error) {
        console.warn('briefing refresh', error);
      }
    },
    onState: (state) => { liveState.textContent = state; liveState.dataset.state = state; },
  });
  const timer = setInterval(tick, 1000);
  return () => { stopFollowing(); clearInterval(timer); };
}
