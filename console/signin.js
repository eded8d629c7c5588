// Sign-in: the token is pasted once and exchanged for an HttpOnly session cookie
// (POST /v1/session with Authorization: Bearer); the page never keeps the token.
import { api } from './api.js';
import { h, render } from './dom.js';
import { problemView } from './views.js';

export function show(main, onSignedIn) {
  const token = h('input', { id: 'token', name: 'token', type: 'password', required: true,
                             autocomplete: 'off', spellcheck: 'false',
                             'aria-describedby': 'token-help' });
  const result = h('div', { id: 'signin-result' });
  const form = h('form', { class: 'card signin', novalidate: true },
    h('label', { for: 'token' }, 'Your token'),
    token,
    h('p', { id: 'token-help', class: 'help' },
      'Paste the token the Secretariat gave you. It is exchanged for a session of 8 hours and ',
      'not kept by this page.'),
    h('button', { type: 'submit' }, 'Sign in'),
    result);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = token.value.trim();
    if (!value) {
      render(result, h('p', { class: 'problem', role: 'alert' }, 'Paste your token first.'));
      token.focus();
      return;
    }
    try {
      const who = await api('/v1/session', { method: 'POST',
                                            headers: { Authorization: `Bearer ${value}` } });
      token.value = '';
      await onSignedIn(who);
    } catch (error) {
      render(result, problemView(error));
    }
  });
  render(main, h('h1', {}, 'Sign in'), form);
  token.focus();
  return () => {};
}
