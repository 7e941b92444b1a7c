/**
 * A strict little XML parser for checking generated SVG: it accepts only well-formed XML
 * (one root, balanced and properly nested tags, quoted and unique attributes, only the five
 * predefined or numeric entities, no stray `<` or `&`) and throws naming the offset otherwise.
 */
export interface XmlElement {
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = /[A-Za-z_:][-A-Za-z0-9_:.]*/y;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);/y;

function decode(raw: string, at: number): string {
  let out = '';
  for (let i = 0; i < raw.length; ) {
    const ch = raw[i]!;
    if (ch === '<') throw new Error(`'<' in text or attribute at ${at + i}`);
    if (ch === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(raw);
      if (m === null) throw new Error(`bare '&' at ${at + i}`);
      const e = m[0];
      out += e === '&amp;' ? '&' : e === '&lt;' ? '<' : e === '&gt;' ? '>' : e === '&quot;' ? '"' : e === '&apos;' ? "'" : String.fromCodePoint(Number(e.startsWith('&#x') ? `0x${e.slice(3, -1)}` : e.slice(2, -1)));
      i += e.length;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

export function parseXml(text: string): XmlElement {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | null = null;
  const skipSpace = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (m === null) throw new Error(`expected a name at ${i}`);
    i += m[0].length;
    return m[0];
  };
  while (i < text.length) {
    if (text.startsWith('<?', i)) {
      if (root !== null || stack.length > 0 || i !== 0) throw new Error(`XML declaration not at the start (${i})`);
      const end = text.indexOf('?>', i);
      if (end < 0) throw new Error('unterminated declaration');
      i = end + 2;
    } else if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i);
      if (end < 0) throw new Error(`unterminated comment at ${i}`);
      i = end + 3;
    } else if (text.startsWith('</', i)) {
      i += 2;
      const name = readName();
      skipSpace();
      if (text[i] !== '>') throw new Error(`expected '>' at ${i}`);
      i++;
      const open = stack.pop();
      if (open === undefined || open.name !== name) throw new Error(`closing </${name}> does not match <${open?.name ?? '(none)'}> at ${i}`);
    } else if (text[i] === '<') {
      i++;
      const name = readName();
      const attrs = new Map<string, string>();
      for (;;) {
        const before = i;
        skipSpace();
        if (text.startsWith('/>', i) || text[i] === '>') break;
        if (i === before) throw new Error(`expected space before attribute at ${i}`);
        const attr = readName();
        if (attrs.has(attr)) throw new Error(`duplicate attribute ${attr} at ${i}`);
        if (text[i] !== '=') throw new Error(`expected '=' after ${attr} at ${i}`);
        const quote = text[i + 1];
        if (quote !== '"' && quote !== "'") throw new Error(`unquoted attribute ${attr} at ${i}`);
        const end = text.indexOf(quote, i + 2);
        if (end < 0) throw new Error(`unterminated attribute ${attr}`);
        attrs.set(attr, decode(text.slice(i + 2, end), i + 2));
        i = end + 1;
      }
      const element: XmlElement = { name, attrs, children: [], text: '' };
      if (stack.length > 0) stack[stack.length - 1]!.children.push(element);
      else if (root === null) root = element;
      else throw new Error(`second root element <${name}> at ${i}`);
      if (text.startsWith('/>', i)) i += 2;
      else {
        i++;
        stack.push(element);
      }
    } else {
      const next = text.indexOf('<', i);
      const raw = text.slice(i, next < 0 ? text.length : next);
      const decoded = decode(raw, i);
      if (stack.length > 0) stack[stack.length - 1]!.text += decoded;
      else if (decoded.trim() !== '') throw new Error(`text outside the root at ${i}`);
      i = next < 0 ? text.length : next;
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]!.name}>`);
  if (root === null) throw new Error('no root element');
  return root;
}

/** Every element below (and including) `e`, depth first. */
export function descendants(e: XmlElement): XmlElement[] {
  return [e, ...e.children.flatMap(descendants)];
}

export const byClass = (root: XmlElement, cls: string): XmlElement[] =>
  descendants(root).filter((e) => (e.attrs.get('class') ?? '').split(' ').includes(cls));

export const num = (e: XmlElement, attr: string): number => {
  const v = e.attrs.get(attr);
  if (v === undefined) throw new Error(`<${e.name}> has no ${attr}`);
  return Number(v);
};
