// DOM helpers of the GameGirl Color console. Untrusted text is only ever set with textContent.

export const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** localStorage that tolerates private mode (the name and channel then last as long as the page). */
export const storage = {
  get(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null;
    }
  },
  set(key, value) {
    try {
      localStorage.setItem(key, value);
    } catch {
      // Private mode: the name and channel last as long as the page.
    }
  },
};

export function show(id, visible) {
  $(id).hidden = !visible;
}

/** A menu row: a title, a detail line and an optional button. */
export function item(title, detail, buttonLabel, onClick, extraClass) {
  const li = document.createElement('li');
  if (extraClass) li.className = extraClass;
  const text = document.createElement('div');
  const strong = document.createElement('strong');
  strong.textContent = title;
  const small = document.createElement('small');
  small.textContent = detail;
  text.append(strong, small);
  li.append(text);
  if (buttonLabel) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'btn small';
    button.textContent = buttonLabel;
    button.addEventListener('click', onClick);
    li.append(button);
  }
  return li;
}

let toastTimer = 0;
export function toast(text) {
  const el = $('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    el.hidden = true;
  }, 4000);
}
