// The auditor's page: the ledger head and a check of the whole hash chain; the signed checkpoint,
// with the latest events' inclusion proofs checked in the browser; any entity as it stood at one
// of its own positions (a slider over them, read with ?as_of=, each position's proof checked);
// the log exported.
import { api, apiText } from './api.js';
import { parseCheckpoint, verifyInclusion } from './merkle.js';
import { h, render } from './dom.js';
import { label, viennaTime } from './format.js';
import { participantsTable, problemView, statusBadge } from './views.js';

// Stream kind -> the entity's path. Longest prefixes first.
const KINDS = [
  ['conference-session-', '/v1/conference-sessions/'],
  ['working-group-', '/v1/working-groups/'],
  ['meeting-', '/v1/meetings/'],
  ['stakeholder-', '/v1/stakeholders/'],
  ['briefing-', '/v1/briefings/'],
  ['referral-', '/v1/referrals/'],
  ['observer-invitation-', '/v1/observer-invitations/'],
  ['contribution-request-', '/v1/contribution-requests/'],
  ['report-', '/v1/reports/'],
  ['state-participation-', '/v1/state-participations/'],
];

export function entityPath(stream) {
  for (const [prefix, path] of KINDS) {
    if (stream.startsWith(prefix) && stream.length > prefix.length) {
      return path + encodeURIComponent(stream.slice(prefix.length));
    }
  }
  return null;
}

function entityView(entity) {
  const rows = Object.entries(entity).filter(([, v]) => v === null || typeof v !== 'object');
  return [
    h('dl', { class: 'facts' }, rows.map(([k, v]) => [
      h('dt', {}, label(k)),
      h('dd', {}, k === 'status' ? statusBadge(v) : v === null ? '—' : String(v))])),
    Array.isArray(entity.participants) ? participantsTable(entity.participants, 'Participants at this position') : null,
    h('details', {}, h('summary', {}, 'Everything (JSON)'),
      h('pre', { class: 'json' }, JSON.stringify(entity, null, 2))),
  ];
}

// How many of the latest events the checkpoint card proves.
const RECENT = 10;

// The signed checkpoint of the head, parsed; fetched again when asked about a later position.
let checkpoint = null;
async function checkpointCovering(position = 0) {
  if (!checkpoint || checkpoint.size < position) {
    const text = await apiText('/v1/ledger/checkpoint');
    checkpoint = { ...parseCheckpoint(text), text };
  }
  return checkpoint;
}

// A ✔ or ✘ for one event: its inclusion proof in the checkpoint's tree, checked here.
async function inclusionBadge(event) {
  const badge = h('span', { class: 'inclusion', 'data-position': String(event.position) },
    'checking…');
  (async () => {
    let ok = false;
    try {
      const cp = await checkpointCovering(event.position);
      const proof = await api(`/v1/ledger/proof/inclusion?position=${event.position}&tree_size=${cp.size}`);
      ok = await verifyInclusion(event, cp, proof);
    } catch {
      ok = false;
    }
    badge.className = `inclusion ${ok ? 'inclusion-ok' : 'inclusion-bad'}`;
    badge.textContent = ok ? '✔ in the signed tree' : '✘ not proved';
    badge.title = ok
      ? 'Its inclusion proof leads from this event\'s hash to the checkpoint\'s root (checked in this browser).'
      : 'The server\'s inclusion proof does not lead to the checkpoint\'s root.';
  })();
  return badge;
}

async function showCheckpoint(area) {
  let cp;
  try {
    checkpoint = null;
    cp = await checkpointCovering();
  } catch (error) {
    render(area, problemView(error));
    return;
  }
  const first = Math.max(0, cp.size - RECENT);
  let events = [];
  try {
    if (cp.size > 0) events = (await api(`/v1/events?after=${first}&limit=${cp.size - first}`)).events;
  } catch (error) {
    render(area, problemView(error));
    return;
  }
  const items = [];
  for (const event of events.reverse()) {
    items.push(h('li', {},
      h('span', { class: 'event-ref' }, `#${event.position} ${event.type} `),
      h('span', { class: 'help' }, event.stream), ' ', await inclusionBadge(event)));
  }
  render(area,
    h('dl', { class: 'facts', id: 'checkpoint' },
      h('dt', {}, 'Log'), h('dd', { id: 'checkpoint-origin' }, cp.origin),
      h('dt', {}, 'Tree size'), h('dd', { id: 'checkpoint-size' }, String(cp.size)),
      h('dt', {}, 'Root'), h('dd', { class: 'hash', id: 'checkpoint-root' }, cp.rootBase64)),
    h('details', {}, h('summary', {}, 'The signed checkpoint'),
      h('pre', { class: 'json' }, cp.text)),
    h('p', { class: 'help' }, 'The latest events, each checked against the checkpoint\'s root in this ',
      'browser. The signature is checked by ', h('code', {}, 'dialogue audit'), '.'),
    events.length ? h('ul', { id: 'recent-proofs', class: 'proofs' }, items)
      : h('p', { class: 'empty' }, 'The log is empty.'));
}

async function exportLog(button, status) {
  button.disabled = true;
  const lines = [];
  let after = 0;
  try {
    for (;;) {
      const page = await api(`/v1/events?after=${after}&limit=1000`);
      for (const event of page.events) lines.push(JSON.stringify(event));
      if (page.events.length < 1000) break;
      after = page.events[page.events.length - 1].position;
      status.textContent = `${lines.length} events…`;
    }
    const url = URL.createObjectURL(new Blob([lines.map((l) => `${l}\n`).join('')],
                                             { type: 'application/x-ndjson' }));
    const link = h('a', { href: url, download: 'dialogue-log.ndjson' }, 'dialogue-log.ndjson');
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
    status.textContent = `Exported ${lines.length} events (the format of dialogue export).`;
  } catch (error) {
    render(status, problemView(error));
  } finally {
    button.disabled = false;
  }
}

export async function show(main, args) {
  render(main, h('h1', {}, 'Auditor'), h('p', {}, 'Loading…'));
  let head;
  try {
    head = await api('/v1/ledger/head');
  } catch (error) {
    render(main, h('h1', {}, 'Auditor'), problemView(error));
    return () => {};
  }

  const headView = h('dl', { class: 'facts', id: 'ledger-head' });
  const drawHead = () => render(headView,
    h('dt', {}, 'Head position'), h('dd', { id: 'head-position' }, String(head.position)),
    h('dt', {}, 'Head hash'), h('dd', { class: 'hash' }, head.hash || '—'));
  drawHead();
  const verifyResult = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const verifyButton = h('button', { type: 'button', id: 'verify' }, 'Verify the hash chain');
  verifyButton.addEventListener('click', async () => {
    verifyButton.disabled = true;
    render(verifyResult, h('p', {}, 'Verifying every event…'));
    try {
      // {ok, head: position, head_hash, first_bad_position, problem}
      const report = await api('/v1/ledger/verify');
      if (typeof report.head === 'number') head = { position: report.head, hash: report.head_hash };
      drawHead();
      render(verifyResult, report.ok
        ? h('p', { class: 'ok', role: 'status' },
          `The chain is intact: every event up to position ${head.position} verified.`)
        : h('div', { class: 'problem', role: 'alert' },
          h('p', { class: 'problem-title' },
            `The chain is broken: first bad position ${report.first_bad_position}.`),
          report.problem ? h('p', {}, report.problem) : null));
    } catch (error) {
      render(verifyResult, problemView(error));
    } finally {
      verifyButton.disabled = false;
    }
  });

  const checkpointArea = h('div', { id: 'checkpoint-area', 'aria-live': 'polite' },
    h('p', {}, 'Loading…'));
  const refreshButton = h('button', { type: 'button', id: 'refresh-checkpoint' },
    'Fetch the latest checkpoint');
  refreshButton.addEventListener('click', async () => {
    refreshButton.disabled = true;
    await showCheckpoint(checkpointArea);
    refreshButton.disabled = false;
  });

  const exportStatus = h('p', { id: 'export-status', 'aria-live': 'polite' });
  const exportButton = h('button', { type: 'button', id: 'export' }, 'Export the log (NDJSON)');
  exportButton.addEventListener('click', () => exportLog(exportButton, exportStatus));

  const streamInput = h('input', { id: 'stream', name: 'stream', required: true,
                                   autocomplete: 'off', value: args[0] ?? '',
                                   placeholder: 'briefing-b1', 'aria-describedby': 'stream-help' });
  const entityArea = h('div', { id: 'entity' });
  const form = h('form', { class: 'inline-form' },
    h('label', { for: 'stream' }, 'Stream'), streamInput,
    h('button', { type: 'submit' }, 'Show'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const stream = streamInput.value.trim();
    if (stream) location.hash = `#/auditor/${encodeURIComponent(stream)}`;
  });

  render(main,
    h('h1', {}, 'Auditor'),
    h('section', { class: 'card', 'aria-labelledby': 'ledger-h' },
      h('h2', { id: 'ledger-h' }, 'Ledger'), headView, verifyButton, verifyResult),
    h('section', { class: 'card', 'aria-labelledby': 'history-h' },
      h('h2', { id: 'history-h' }, 'Verifiable history'), checkpointArea, refreshButton),
    h('section', { class: 'card', 'aria-labelledby': 'asof-h' },
      h('h2', { id: 'asof-h' }, 'An entity as of a position'),
      form,
      h('p', { id: 'stream-help', class: 'help' },
        'A stream name: briefing-ID, referral-BRIEFING.STAKEHOLDER, stakeholder-ID, meeting-ID, …'),
      entityArea),
    h('section', { class: 'card', 'aria-labelledby': 'export-h' },
      h('h2', { id: 'export-h' }, 'Export'),
      h('p', {}, 'Every event in position order, one JSON object per line, as ',
        h('code', {}, 'dialogue export'), ' writes it; or ',
        h('a', { href: '/v1/events?after=0&limit=1000', id: 'export-link' }, 'the first 1,000 events as JSON'), '.'),
      exportButton, exportStatus));

  const stream = args[0];
  await showCheckpoint(checkpointArea);
  if (stream) await showEntity(stream, entityArea);
  return () => {};
}

async function streamEvents(stream) {
  let events = [];
  let after = 0;
  for (;;) {
    const page = await api(`/v1/streams/${encodeURIComponent(stream)}/events?after=${after}&limit=1000`);
    events = events.concat(page.events);
    if (page.events.length < 1000) return events;
    after = page.events[page.events.length - 1].version;
  }
}

async function showEntity(stream, area) {
  const path = entityPath(stream);
  if (!path) {
    render(area, h('p', { class: 'problem', role: 'alert' }, `${stream} is not the stream of an entity.`));
    return;
  }
  let events = [];
  try {
    events = await streamEvents(stream);
    // A briefing's state folds its referral streams too: their positions are steps as well.
    if (stream.startsWith('briefing-')) {
      const current = await api(path);
      for (const p of current.participants ?? []) {
        if (p.referral) events = events.concat(await streamEvents(`referral-${p.referral}`));
      }
      events.sort((a, b) => a.position - b.position);
    }
  } catch (error) {
    render(area, problemView(error));
    return;
  }
  if (events.length === 0) {
    render(area, h('p', { class: 'empty' }, `${stream} has no events.`));
    return;
  }
  const slider = h('input', { type: 'range', id: 'as-of', min: 0, max: events.length - 1,
                              step: 1, value: events.length - 1,
                              'aria-describedby': 'as-of-value' });
  const valueText = h('output', { id: 'as-of-value', for: 'as-of' });
  const view = h('div', { id: 'as-of-entity' });
  render(area,
    h('div', { class: 'slider' },
      h('label', { for: 'as-of' }, `Position (${events.length} events of ${stream}${stream.startsWith('briefing-') ? ' and its referrals' : ''})`),
      slider, valueText),
    view);
  let request = 0;
  const update = async () => {
    const event = events[Number(slider.value)];
    const text = `after position ${event.position} (${event.stream} version ${event.version}: ${event.type}, ${viennaTime(event.occurred_at)})`;
    valueText.textContent = text;
    slider.setAttribute('aria-valuetext', text);
    const mine = ++request;
    try {
      const entity = await api(`${path}?as_of=${event.position}`);
      if (mine !== request) return;
      render(view, h('p', { class: 'as-of-note' }, `As it stood ${text}: `,
        await inclusionBadge(event)), entityView(entity));
      view.dataset.position = String(event.position);
    } catch (error) {
      if (mine === request) render(view, problemView(error));
    }
  };
  slider.addEventListener('input', update);
  await update();
}
