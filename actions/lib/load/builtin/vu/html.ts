/**
 * `res.html()` and `k6/html`'s `parseHTML()`: a k6 Selection (jQuery-like, as k6's goquery-based one) over cheerio,
 * loaded the first time a script parses HTML (packages.ts). `each` and `map` hand their callback the index and a
 * one-element Selection that also answers k6's Element methods most scripts use (textContent, innerHTML,
 * getAttribute, nodeName). Form values follow k6's rules (val, serialize*), which Response.submitForm relies on.
 */
import type { Cheerio, CheerioAPI } from 'cheerio';
import type { AnyNode } from 'domhandler';
import { urlEncoded } from './form-body.js';
import { loadPackage } from './packages.js';

let cheerio: { load(html: string): CheerioAPI } | undefined;

export class Selection {
  constructor(
    private readonly $: CheerioAPI,
    private readonly nodes: Cheerio<AnyNode>,
  ) {}

  private wrap(nodes: Cheerio<AnyNode>): Selection {
    return new Selection(this.$, nodes);
  }

  find(selector: string): Selection {
    return this.wrap(this.nodes.find(selector));
  }
  text(): string {
    return this.nodes.text();
  }
  html(): string {
    return this.nodes.html() ?? '';
  }
  attr(name: string, fallback?: string): string | undefined {
    return this.nodes.attr(name) ?? fallback;
  }
  /** k6's value of a form element (its Selection.val): by tag, from attributes, `undefined` for other elements. */
  val(): string | string[] | undefined {
    const first = this.nodes.first();
    const attr = (name: string) => first.attr(name);
    const valueOrHtml = (option: Cheerio<AnyNode>) => option.attr('value') ?? option.html() ?? '';
    switch (this.nodeName()) {
      case 'input': {
        const type = attr('type');
        return attr('value') ?? (type === 'radio' || type === 'checkbox' ? 'on' : '');
      }
      case 'button':
        return attr('value') ?? '';
      case 'textarea':
        return first.html() ?? '';
      case 'option':
        return valueOrHtml(first);
      case 'select': {
        const selected = first.find('option[selected]');
        if (attr('multiple') !== undefined) return selected.toArray().map((o) => valueOrHtml(this.$(o)));
        return selected.length > 0 ? valueOrHtml(selected.first()) : '';
      }
      default:
        return undefined;
    }
  }
  /**
   * The successful controls of a form (or the selected controls themselves), as k6 picks them: named, not
   * disabled="disabled", not a button, image or file input, and checkboxes and radios only with checked="checked".
   */
  serializeArray(): { name: string; value: string | string[] | undefined }[] {
    const submittable = 'input,select,textarea,keygen';
    const controls = this.nodes.is('form') ? this.nodes.find(submittable) : this.nodes.filter(submittable);
    const excluded = new Set(['submit', 'button', 'reset', 'image', 'file']);
    return this.wrap(controls)
      .toArray()
      .filter((control) => {
        const type = control.attr('type') ?? '';
        return (
          (control.attr('name') ?? '') !== '' &&
          control.attr('disabled') !== 'disabled' &&
          !excluded.has(type) &&
          (control.attr('checked') === 'checked' || (type !== 'checkbox' && type !== 'radio'))
        );
      })
      .map((control) => ({ name: control.attr('name')!, value: control.val() }));
  }
  serializeObject(): Record<string, string | string[] | undefined> {
    return Object.fromEntries(this.serializeArray().map(({ name, value }) => [name, value]));
  }
  /** The controls as a query string (last value of a name wins, keys sorted: Go's url.Values encoding). */
  serialize(): string {
    return urlEncoded(this.serializeObject());
  }
  data(key?: string): unknown {
    return key === undefined ? this.nodes.data() : this.nodes.data(key);
  }
  first(): Selection {
    return this.wrap(this.nodes.first());
  }
  last(): Selection {
    return this.wrap(this.nodes.last());
  }
  eq(index: number): Selection {
    return this.wrap(this.nodes.eq(index));
  }
  children(selector?: string): Selection {
    return this.wrap(selector ? this.nodes.children(selector) : this.nodes.children());
  }
  parent(selector?: string): Selection {
    return this.wrap(selector ? this.nodes.parent(selector) : this.nodes.parent());
  }
  next(selector?: string): Selection {
    return this.wrap(selector ? this.nodes.next(selector) : this.nodes.next());
  }
  prev(selector?: string): Selection {
    return this.wrap(selector ? this.nodes.prev(selector) : this.nodes.prev());
  }
  filter(selector: string): Selection {
    return this.wrap(this.nodes.filter(selector));
  }
  not(selector: string): Selection {
    return this.wrap(this.nodes.not(selector));
  }
  has(selector: string): Selection {
    return this.wrap(this.nodes.has(selector));
  }
  closest(selector: string): Selection {
    return this.wrap(this.nodes.closest(selector));
  }
  is(selector: string): boolean {
    return this.nodes.is(selector);
  }
  size(): number {
    return this.nodes.length;
  }
  get length(): number {
    return this.nodes.length;
  }
  toArray(): Selection[] {
    return this.nodes.toArray().map((node) => this.wrap(this.$(node)));
  }
  each(callback: (index: number, element: Selection) => unknown): Selection {
    this.toArray().forEach((element, index) => {
      callback(index, element);
    });
    return this;
  }
  map<T>(callback: (index: number, element: Selection) => T): T[] {
    return this.toArray().map((element, index) => callback(index, element));
  }
  /** The i-th element (k6 returns an Element; here a one-element Selection with the Element methods). */
  get(index: number): Selection | undefined {
    return this.toArray()[index];
  }
  textContent(): string {
    return this.text();
  }
  innerHTML(): string {
    return this.html();
  }
  getAttribute(name: string): string | undefined {
    return this.attr(name);
  }
  nodeName(): string {
    const node = this.nodes.get(0) as { tagName?: string; name?: string } | undefined;
    return (node?.tagName ?? node?.name ?? '').toLowerCase();
  }
}

export function parseHTML(html: string): Selection {
  cheerio ??= loadPackage<{ load(html: string): CheerioAPI }>('cheerio/slim');
  const $ = cheerio.load(String(html));
  return new Selection($, $.root());
}
