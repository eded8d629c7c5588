// The API from the browser: the session cookie authenticates (same origin); every request that
// is not a GET carries X-Requested-With: dialogue, which the server demands of cookie writes
// (CSRF). Errors are RFC 9457 problems, thrown as ProblemError.

export class ProblemError extends Error {
  constructor(problem) {
    super(problem.detail || problem.title || `HTTP ${problem.status}`);
    this.problem = problem;
    this.status = problem.status;
  }
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const init = { method, headers: { Accept: 'application/json', ...headers },
                 credentials: 'same-origin', cache: 'no-store' };
  if (method !== 'GET') init.headers['X-Requested-With'] = 'dialogue';
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw new ProblemError({ status: 0, title: 'The server cannot be reached',
                             detail: String(error.message || error) });
  }
  if (response.status === 204) return null;
  const text = await response.text();
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = null;
  }
  if (!response.ok) {
    throw new ProblemError(value && typeof value === 'object'
      ? value
      : { status: response.status, title: response.statusText, detail: text });
  }
  return value;
}

// A GET of a text/plain resource (the ledger's checkpoint and key): its text; problems thrown as
// by api().
export async function apiText(path) {
  let response;
  try {
    response = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  } catch (error) {
    throw new ProblemError({ status: 0, title: 'The server cannot be reached',
                             detail: String(error.message || error) });
  }
  const text = await response.text();
  if (!response.ok) {
    let problem = null;
    try {
      problem = JSON.parse(text);
    } catch {
      problem = null;
    }
    throw new ProblemError(problem && typeof problem === 'object'
      ? problem : { status: response.status, title: response.statusText, detail: text });
  }
  return text;
}

// Every event type of the log (workflows/events.cpp). An EventSource delivers a record with
// `event: <type>` only to listeners of that type, so the console listens to each.
export const EVENT_TYPES = [
  'ConferenceSessionRegistered', 'WorkingGroupRegistered', 'MeetingScheduled',
  'StakeholderRegistered', 'EcosocStatusChanged', 'ObserverEntitlementRecorded',
  'BriefingRequested', 'BriefingConvened', 'StakeholderInvited', 'BriefingRescheduled',
  'InvitationDeclined', 'AttendanceConfirmed', 'ObjectionRaised', 'ReferredToWorkingGroup',
  'ReferralDecided', 'ObjectionWithdrawn', 'BriefingHeld', 'SummaryPrepared', 'SummarySubmitted',
  'BriefingCancelled', 'ConfirmationWindowClosed', 'ObserverInvited', 'ObserverInvitationAnswered',
  'ObserverInvitationRevoked', 'ContributionsRequested', 'ContributionSubmitted',
  'ContributionReviewed', 'StakeholderReportSubmitted', 'StateParticipationRequested',
  'StateParticipationFunded', 'StateParticipationWithdrawn',
];

// Follows the log from `after` on (Server-Sent Events, authenticated by the cookie); calls
// onEvent with each event object. Returns a function that stops. The browser reconnects by
// itself, sending Last-Event-ID, so nothing is skipped or repeated.
export function follow({ after = 0, streams = '', onEvent, onState }) {
  const query = new URLSearchParams({ after: String(after) });
  if (streams) query.set('streams', streams);
  const source = new EventSource(`/v1/subscribe?${query}`);
  const handle = (message) => {
    let event;
    try {
      event = JSON.parse(message.data);
    } catch (error) {
      console.error('event not understood', error);
      return;
    }
    onEvent(event);
  };
  source.addEventListener('message', handle);
  for (const type of EVENT_TYPES) source.addEventListener(type, handle);
  source.onopen = () => onState?.('live');
  source.onerror = () =>
    onState?.(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
  return () => source.close();
}
