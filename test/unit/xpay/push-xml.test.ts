import { PushXmlError, parsePushXml, toPushXml } from '../../../server/src/xpay/index.js';

describe("WeChat's push XML", () => {
  test('parses nested elements, CDATA, plain text with entities, and repeated elements as arrays', () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<xml>\n <Event><![CDATA[xpay_goods_deliver_notify]]></Event>\n' +
      ' <GoodsInfo><ProductId>p&amp;1</ProductId><Quantity>2</Quantity></GoodsInfo>\n' +
      ' <Tag>a</Tag><Tag>b</Tag><Empty/><Char>&#x4E2D;&#25991;</Char>\n</xml>\n';
    expect(parsePushXml(xml)).toEqual({
      Event: 'xpay_goods_deliver_notify',
      GoodsInfo: { ProductId: 'p&1', Quantity: '2' },
      Tag: ['a', 'b'],
      Empty: '',
      Char: '中文',
    });
  });

  test('writes strings as CDATA (splitting "]]>"), numbers bare, objects nested, and reads back the same', () => {
    const fields = { A: 'x]]>y', N: 12, O: { B: 'z<&>' }, U: undefined };
    const xml = toPushXml(fields);
    expect(xml).toBe(
      '<xml><A><![CDATA[x]]]]><![CDATA[>y]]></A><N>12</N><O><B><![CDATA[z<&>]]></B></O></xml>',
    );
    expect(parsePushXml(xml)).toEqual({ A: 'x]]>y', N: '12', O: { B: 'z<&>' } });
  });

  test.each([
    ['a DOCTYPE', '<!DOCTYPE xml><xml></xml>'],
    ['an internal entity', '<xml><!ENTITY a "b"><A>&a;</A></xml>'],
    ['an undeclared entity', '<xml><A>&a;</A></xml>'],
    ['a bare ampersand', '<xml><A>a & b</A></xml>'],
    ['a comment', '<xml><!-- hi --><A>1</A></xml>'],
    ['a processing instruction inside', '<xml><?php x ?></xml>'],
    ['attributes', '<xml><A id="1">1</A></xml>'],
    ['a mismatched closing tag', '<xml><A>1</B></xml>'],
    ['an unclosed element', '<xml><A>1</A>'],
    ['mixed text and elements', '<xml>text<A>1</A></xml>'],
    ['content after the root', '<xml></xml><xml></xml>'],
    ['another root', '<root><A>1</A></root>'],
    ['text in the root', '<xml>hello</xml>'],
    ['a surrogate character reference', '<xml><A>&#xD800;</A></xml>'],
    ['deep nesting', `<xml>${'<A>'.repeat(20)}x${'</A>'.repeat(20)}</xml>`],
  ])('refuses %s', (_label, xml) => {
    expect(() => parsePushXml(xml)).toThrow(PushXmlError);
  });

  test('refuses to write a field name that is not an XML name', () => {
    expect(() => toPushXml({ 'a b': 1 })).toThrow(TypeError);
  });
});
