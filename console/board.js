// The referral board (Secretariat, President, Bureau, Working Groups, auditors): every objection
// referred to a Working Group under 59(d), pending and decided, by Working Group; live.
import { api, follow } from './api.js';
import { h, render, announce } from './dom.js';
import { duration, label, viennaTime } from './format.js';
import { problemView } from './views.js';

export async function show(main, _args, me) {
  render(main, h('h1', {}, 'Referral board'), h('p', {}, 'Loading referrals…'));
  // The head first, then the lists: every event after the head reaches us live.
  const head = await api('/v1/ledger/head').catch(() => null);
  let referrals;
  try {
    const [pending, decided, withdrawn] = await Promise.all(
      ['pending', 'decided', 'withdrawn'].map((s) => api(`/v1/referrals?status=${s}`)));
    referrals = new Map([...pending.referrals, ...decided.referrals, ...withdrawn.referrals]
      .map((r) => [r.id, r]));
  } catch (error) {
    render(main, h('h1', {}, 'Referral board'), problemView(error));
    return () => {};
  }

  const names = new Map();
  const groupNames = new Map();
  try {
    const [{ stakeholders }, { working_groups: groups }] = await Promise.all(
      [api('/v1/stakeholders'), api('/v1/working-groups')]);
    for (const s of stakeholders) names.set(s.id, s.name);
    for (const g of groups) groupNames.set(g.id, g.name);
  } catch {
    // Names are a nicety: ids are shown without them.
  }
  const liveState = h('span', { class: 'live-state', id: 'live-state' }, 'connecting…');
  const content = h('div', { id: 'board' });
  render(main,
    h('div', { class: 'page-head' },
      h('h1', {}, 'Referral board'),
      h('p', { class: 'live' }, 'Updates: ', liveState)),
    h('p', { class: 'lead' },
      'Objections to an NGO referred to the Working Group concerned (59(d)). ',
      me.working_group ? `You act for ${me.working_group}.` : ''),
    content);

  const who = (id) => (names.has(id) ? `${names.get(id)} (${id})` : id);
  const draw = () => {
    const now = Date.now();
    const all = [...referrals.values()];
    if (all.length === 0) {
      render(content, h('p', { class: 'empty' }, 'No referral yet.'));
      return;
    }
    const groups = [...new Set(all.map((r) => r.working_group))].sort();
    render(content, groups.map((group) => {
      const mine = all.filter((r) => r.working_group === group)
        .sort((a, b) => String(a.raised_at).localeCompare(String(b.raised_at)));
      const section = (title, items, decidedColumn) => h('section',
        { class: 'referrals', 'aria-labelledby': `h-${group}-${title}` },
        h('h3', { id: `h-${group}-${title}` }, `${title} (${items.length})`),
        items.length === 0 ? h('p', { class: 'empty' }, `None ${title.toLowerCase()}.`)
          : h('div', { class: 'table-wrap' }, h('table', { class: 'stack' },
            h('thead', {}, h('tr', {},
              h('th', { scope: 'col' }, 'Briefing'),
              h('th', { scope: 'col' }, 'NGO'),
              h('th', { scope: 'col' }, 'Objecting State'),
              h('th', { scope: 'col' }, decidedColumn ? 'Outcome' : 'Pending for'),
              h('th', { scope: 'col' }, 'Raised (Vienna)'))),
            h('tbody', {}, items.map((r) => h('tr', { dataset: { referral: r.id, status: r.status } },
              h('td', { 'data-label': 'Briefing' },
                h('a', { href: `#/briefing/${encodeURIComponent(r.briefing)}` }, r.briefing)),
              h('td', { 'data-label': 'NGO' }, who(r.stakeholder)),
              h('td', { 'data-label': 'Objecting State' }, who(r.objecting_state)),
              h('td', { class: 'outcome', 'data-label': decidedColumn ? 'Outcome' : 'Pending for' },
                decidedColumn
                ? h('span', { class: `badge outcome-${r.outcome ?? r.status}` },
                  r.status === 'withdrawn' ? 'objection withdrawn' : label(r.outcome),
                  r.decided_at || r.withdrawn_at
                    ? ` after ${duration(new Date(r.decided_at ?? r.withdrawn_at) - new Date(r.raised_at))}`
                    : '')
                : duration(now - new Date(r.raised_at).getTime())),
              h('td', { 'data-label': 'Raised' }, viennaTime(r.raised_at))))))));
      return h('section', { class: 'card group', 'aria-labelledby': `wg-${group}` },
        h('h2', { id: `wg-${group}` },
          groupNames.has(group) ? `${groupNames.get(group)} (${group})` : `Working Group ${group}`),
        section('Pending', mine.filter((r) => r.status === 'pending'), false),
        section('Decided', mine.filter((r) => r.status !== 'pending'), true));
    }));
  };
  draw();

  // Live: a referral event names its stream "referral-<id>"; fetch that referral again.
  const stopFollowing = follow({
    after: head?.position ?? 0,
    streams: 'referral-',
    onEvent: async (event) => {
      const id = event.stream.slice('referral-'.length);
      try {
        const referral = await api(`/v1/referrals/${encodeURIComponent(id)}`);
        const known = referrals.get(id);
        referrals.set(id, referral);
        draw();
        if (!known || known.status !== referral.status) {
          announce(`Referral ${id} is ${referral.status}${referral.outcome ? `: ${label(referral.outcome)}` : ''}.`);
        }
      } catch (error) {
        console.warn('referral refresh', error);
      }
    },
    onState: (state) => { liveState.textContent = state; liveState.dataset.state = state; },
  });
  const ticker = setInterval(draw, 60_000);  // "pending for" grows
  return () => { stopFollowing(); clearInterval(ticker); };
}
