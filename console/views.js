// Pieces shared by the pages: a problem shown as text, the participants of a briefing.
import { h } from './dom.js';
import { label, viennaTime } from './format.js';

// An API problem (or any error) as an alert: its title and its detail, as the server wrote them.
export function problemView(error) {
  const problem = error?.problem ?? { title: 'Something went wrong', detail: String(error) };
  return h('div', { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-title' },
      problem.status ? `${problem.status} · ` : '', problem.title ?? 'Error'),
    problem.detail ? h('p', { class: 'problem-detail' }, problem.detail) : null);
}

// Written comments with the country mentions the screening found (byte offsets into the UTF-8
// text) marked.
export function withMentions(text, mentions) {
  if (!text) return [];
  if (!Array.isArray(mentions) || mentions.length === 0) return [text];
  const bytes = new TextEncoder().encode(text);
  const decoder = new TextDecoder();
  const parts = [];
  let at = 0;
  for (const mention of [...mentions].sort((a, b) => a.offset - b.offset)) {
    const start = mention.offset;
    const end = start + new TextEncoder().encode(mention.name).length;
    if (start < at || end > bytes.length) continue;
    parts.push(decoder.decode(bytes.slice(at, start)));
    parts.push(h('mark', { class: 'mention', title: `Country mentioned: ${mention.country}` },
      decoder.decode(bytes.slice(start, end))));
    at = end;
  }
  parts.push(decoder.decode(bytes.slice(at)));
  return parts;
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}` }, label(status));
}

// caption: the table's name; hidden when the section's heading already says it.
export function participantsTable(participants, caption = 'Participants', { hideCaption = false } = {}) {
  if (!participants || participants.length === 0) {
    return h('p', { class: 'empty' }, 'No participant invited yet.');
  }
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'participants stack' },
      h('caption', { class: hideCaption ? 'visually-hidden' : null }, caption),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Stakeholder'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, 'Confirmed'),
        h('th', { scope: 'col' }, 'Written comments'))),
      h('tbody', {}, participants.map((p) => h('tr', { dataset: { stakeholder: p.stakeholder } },
        h('th', { scope: 'row' }, p.stakeholder),
        h('td', { class: 'participant-status', 'data-label': 'Status' }, statusBadge(p.status)),
        h('td', { 'data-label': 'Confirmed' }, p.confirmed_at ? viennaTime(p.confirmed_at) : '—'),
        h('td', { class: 'comments', 'data-label': 'Comments' },
          ...withMentions(p.written_comments, p.country_mentions)))))));
}
