/**
 * The XML dialect of WeChat's message push: one `<xml>` root, elements without attributes, text in CDATA or
 * plain (with the five predefined entities and numeric references), nested elements for nested objects
 * (`<GoodsInfo><ProductId>…</ProductId></GoodsInfo>`). Parsed strictly and by hand, not with a general XML
 * library: a DOCTYPE, an entity declaration or any other construct is refused, so no external-entity (XXE) or
 * entity-expansion trick can reach us through a push.
 */

/** A parsed element: text for a leaf, an object for an element with children (repeated children as arrays). */
export type XmlValue = string | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

/** XML that is not WeChat's push dialect. */
export class PushXmlError extends Error {
  override readonly name = 'PushXmlError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*/;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const MAX_DEPTH = 8;

function decodeText(raw: string): string {
  return raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);|&/g, (match, ref: string | undefined) => {
    if (ref === undefined) throw new PushXmlError('A bare "&" in text');
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
        throw new PushXmlError(`Invalid character reference ${match}`);
      }
      return String.fromCodePoint(code);
    }
    const value = ENTITIES[ref];
    if (value === undefined) throw new PushXmlError(`Unknown entity ${match}`);
    return value;
  });
}

/**
 * Parses a push body or plaintext. The root must be `<xml>`; an optional `<?xml …?>` declaration and whitespace
 * around it are allowed, nothing else.
 *
 * @throws PushXmlError naming what is wrong.
 */
export function parsePushXml(text: string): XmlObject {
  let pos = 0;
  const rest = () => text.slice(pos);
  const skipSpace = () => {
    while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
  };

  skipSpace();
  if (text.startsWith('<?xml', pos)) {
    const end = text.indexOf('?>', pos);
    if (end < 0) throw new PushXmlError('Unterminated XML declaration');
    pos = end + 2;
    skipSpace();
  }

  function readElement(depth: number): { name: string; value: XmlValue } {
    if (depth > MAX_DEPTH) throw new PushXmlError('Elements nested too deeply');
    if (text[pos] !== '<') throw new PushXmlError(`Expected an element at offset ${pos}`);
    pos++;
    const name = NAME.exec(rest())?.[0];
    if (!name) throw new PushXmlError(`Expected an element name at offset ${pos}`);
    pos += name.length;
    skipSpace();
    if (text.startsWith('/>', pos)) {
      pos += 2;
      return { name, value: '' };
    }
    if (text[pos] !== '>') throw new PushXmlError(`<${name}> carries attributes or is malformed`);
    pos++;

    let textValue = '';
    let sawText = false;
    const children: XmlObject = {};
    let sawChild = false;
    for (;;) {
      if (pos >= text.length) throw new PushXmlError(`<${name}> is not closed`);
      if (text.startsWith('<![CDATA[', pos)) {
        const end = text.indexOf(']]>', pos + 9);
        if (end < 0) throw new PushXmlError('Unterminated CDATA section');
        textValue += text.slice(pos + 9, end);
        sawText = true;
        pos = end + 3;
      } else if (text.startsWith('</', pos)) {
        pos += 2;
        if (!text.startsWith(name, pos)) throw new PushXmlError(`<${name}> closed by another element`);
        pos += name.length;
        skipSpace();
        if (text[pos] !== '>') throw new PushXmlError(`Malformed closing tag of <${name}>`);
        pos++;
        break;
      } else if (text.startsWith('<!', pos) || text.startsWith('<?', pos)) {
        // Comments, DOCTYPE, ENTITY, processing instructions: none belongs in a push.
        throw new PushXmlError('Declarations, comments and processing instructions are not accepted');
      } else if (text[pos] === '<') {
        const child = readElement(depth + 1);
        const existing = children[child.name];
        children[child.name] =
          existing === undefined
            ? child.value
            : Array.isArray(existing)
              ? [...existing, child.value]
              : [existing, child.value];
        sawChild = true;
      } else {
        const next = text.indexOf('<', pos);
        const end = next < 0 ? text.length : next;
        const chunk = text.slice(pos, end);
        if (chunk.trim() !== '') sawText = true;
        textValue += decodeText(chunk);
        pos = end;
      }
    }
    if (sawChild) {
      if (sawText) throw new PushXmlError(`<${name}> mixes text and elements`);
      return { name, value: children };
    }
    return { name, value: textValue };
  }

  const root = readElement(0);
  skipSpace();
  if (pos !== text.length) throw new PushXmlError('Content after the root element');
  if (root.name !== 'xml') throw new PushXmlError(`The root element is <${root.name}>, expected <xml>`);
  if (typeof root.value === 'string') {
    if (root.value.trim() !== '') throw new PushXmlError('<xml> holds text, expected elements');
    return {};
  }
  return root.value as XmlObject;
}

function cdata(value: string): string {
  // "]]>" cannot appear inside a CDATA section: split it across two.
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

function element(name: string, value: unknown): string {
  if (!NAME.test(name) || NAME.exec(name)?.[0] !== name)
    throw new TypeError(`Not an XML element name: ${name}`);
  if (typeof value === 'number' || typeof value === 'bigint') return `<${name}>${String(value)}</${name}>`;
  if (typeof value === 'string') return `<${name}>${cdata(value)}</${name}>`;
  if (typeof value === 'boolean') return `<${name}>${value ? 1 : 0}</${name}>`;
  if (Array.isArray(value)) return value.map((item) => element(name, item)).join('');
  if (typeof value === 'object' && value !== null) {
    return `<${name}>${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => element(k, v))
      .join('')}</${name}>`;
  }
  throw new TypeError(`Cannot write ${name}=${String(value)} as XML`);
}

/** Writes an object as WeChat does: `<xml>`, strings in CDATA, numbers bare, nested objects as elements. */
export function toPushXml(fields: Record<string, unknown>): string {
  return element('xml', fields);
}
