// A few DOM helpers: elements are built from text nodes only (no innerHTML), so nothing the
// state carries (descriptions, history commands) can inject markup.

type Child = Node | string | number | null | undefined | false;

/** Creates `<tag>` with attributes (`class`, `aria-*`, `data-*`, …) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Readonly<Record<string, string | undefined>> = {},
  ...children: readonly Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== undefined) element.setAttribute(name, value);
  }
  append(element, children);
  return element;
}

/** Appends children, skipping empty ones. */
export function append(parent: Node, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: readonly Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}

/** An ISO time as a short local time, with the full one as a tooltip. */
export function time(iso: string | undefined): HTMLTimeElement | string {
  if (iso === undefined) return '—';
  const date = new Date(iso);
  const sameDay = date.toDateString() === new Date().toDateString();
  const text = sameDay
    ? date.toLocaleTimeString([], { hour12: false })
    : date.toLocaleString([], { hour12: false });
  return h('time', { datetime: iso, title: iso }, text);
}

/** The first characters of a code sha256 (base64), enough to tell builds apart. */
export function shortSha(sha: string | null | undefined): string {
  return sha === null || sha === undefined ? '—' : sha.slice(0, 10);
}
