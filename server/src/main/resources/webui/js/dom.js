// Small DOM helpers shared by the feature modules.

export const $ = (id) => document.getElementById(id);

/** Creates an element with properties and children: el('li', {className: 'x'}, 'text', child). */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child != null) node.append(child);
  }
  return node;
}

/** Calls fn once no call came for `ms`; `flush()` runs a pending call now and returns its promise. */
export function debounce(fn, ms) {
  let timer = null;
  let pending = null;
  const run = () => {
    timer = null;
    const args = pending;
    pending = null;
    return fn(...args);
  };
  const debounced = (...args) => {
    pending = args;
    clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.flush = () => {
    if (!pending) return Promise.resolve();
    clearTimeout(timer);
    return Promise.resolve(run());
  };
  return debounced;
}

/** Shows a message in the status line for a few seconds. */
export function notify(message) {
  const status = $('status');
  status.textContent = message;
  clearTimeout(notify.timer);
  notify.timer = setTimeout(() => { status.textContent = ''; }, 4000);
}

export function showError(message) {
  const box = $('error');
  box.textContent = message;
  box.hidden = !message;
}

/** Inserts text at the caret of a textarea, separating it from its neighbours with ", ". */
export function insertTag(textarea, tag) {
  const value = textarea.value;
  const start = textarea.selectionStart ?? value.length;
  const end = textarea.selectionEnd ?? value.length;
  const before = value.slice(0, start).replace(/[\s,]*$/, '');
  const after = value.slice(end).replace(/^[\s,]*/, '');
  const head = before ? before + ', ' : '';
  const tail = after ? ', ' + after : '';
  textarea.value = head + tag + tail;
  const caret = (head + tag).length;
  textarea.setSelectionRange(caret, caret);
  textarea.dispatchEvent(new Event('input', {bubbles: true}));
}
