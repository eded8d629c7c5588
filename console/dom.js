// Building DOM without innerHTML: every text from the API goes in as text, never as markup.

// h('p', {class: 'x', onclick: fn}, 'text', child, [more]) -> element.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (value === true) {
      element.setAttribute(name, '');
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else if (child instanceof Node) element.append(child);
    else element.append(document.createTextNode(String(child)));
  }
}

// Replaces the content of element.
export function render(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

// Says text to screen readers (the page's polite live region).
export function announce(text) {
  const region = document.getElementById('announcer');
  if (region) region.textContent = text;
}
