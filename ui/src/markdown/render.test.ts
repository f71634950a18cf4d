// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { renderMarkdown, renderMarkdownBlocks } from './render'
import { sanitizeHtml } from './sanitize'

/** Parses `html` the way v-html would and returns every element in it. */
function elements(html: string): Element[] {
  const host = document.createElement('div')
  host.innerHTML = html
  return [...host.querySelectorAll('*')]
}

function textOf(html: string): string {
  const host = document.createElement('div')
  host.innerHTML = html
  return host.textContent ?? ''
}

const ALLOWED_TAGS = new Set([
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'em', 'del', 's', 'code', 'pre',
  'blockquote', 'ul', 'ol', 'li', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'span', 'div', 'button',
])
const ALLOWED_ATTRS = new Set(['href', 'title', 'class', 'align', 'start', 'type', 'target', 'rel', 'data-copy-code'])
// Browsers drop ASCII whitespace and control characters before reading a URL scheme.
const DANGEROUS_URL = /^(?:javascript|data|vbscript):/i
const SERIALISED_TAG = /<([a-z][a-z0-9]*)((?:\s+[^\s"'>/=]+(?:="[^"]*")?)*)\s*\/?>/gi

/** Asserts that `html` can neither run script nor load anything, by inspecting the DOM. */
function expectInert(html: string): void {
  // String level: every `<` that opens a tag must be a well-formed tag (the serialiser
  // double-quotes every value), with no script tag, on* attribute or script URL.
  // Escaped text such as `&lt;script&gt;` is fine: it is displayed, never parsed.
  const tags = [...html.matchAll(SERIALISED_TAG)]
  expect(tags.length, 'unparseable tag').toBe((html.match(/<[a-z]/gi) ?? []).length)
  for (const [, name, attrs] of tags) {
    expect(name.toLowerCase()).not.toBe('script')
    const names = attrs.replace(/="[^"]*"/g, '').trim().split(/\s+/).filter(Boolean)
    for (const attr of names) expect(attr).not.toMatch(/^on/i)
    for (const [, value] of attrs.matchAll(/\shref="([^"]*)"/gi)) expect(value).not.toMatch(/(?:javascript|vbscript|data):/i)
  }

  // DOM level: parse it as v-html would and inspect every element and attribute.

  for (const el of elements(html)) {
    const tag = el.tagName.toLowerCase()
    expect(ALLOWED_TAGS, `tag <${tag}>`).toContain(tag)
    expect(el.namespaceURI).toBe('http://www.w3.org/1999/xhtml')
    for (const attr of [...el.attributes]) {
      expect(attr.name, `attribute on <${tag}>`).not.toMatch(/^on/i)
      expect(ALLOWED_ATTRS, `attribute ${attr.name} on <${tag}>`).toContain(attr.name)
      expect(attr.value.replace(/[\u0000-\u0020]/g, '')).not.toMatch(DANGEROUS_URL)
    }
    if (tag === 'a' && el.hasAttribute('href')) {
      expect(el.getAttribute('href')).toMatch(/^(?:https?:\/\/|mailto:)/i)
    }
  }
}

const XSS_PAYLOADS: Record<string, string> = {
  'script tag': '<script>alert(1)</script>',
  'script tag inline': 'hello <script>alert(1)</script> world',
  'img onerror': '<img src=x onerror=alert(1)>',
  'img onerror inline': 'text <img src=x onerror=alert(1)> text',
  'svg onload': '<svg onload=alert(1)>',
  'svg script': '<svg><script>alert(1)</script></svg>',
  'markdown javascript link': '[x](javascript:alert(1))',
  'mixed-case javascript link': '[x](JaVaScRiPt:alert(1))',
  'entity-encoded javascript link': '[x](&#106;avascript:alert(1))',
  'javascript link with leading space': '[x](<  javascript:alert(1)>)',
  'reference javascript link': '[x][1]\n\n[1]: javascript:alert(1)',
  'html javascript anchor': '<a href="javascript:alert(1)">x</a>',
  'inline html javascript anchor': 'see <a href="javascript:alert(1)">x</a> here',
  iframe: '<iframe src="https://evil.example/"></iframe>',
  'div onclick': '<div onclick="alert(1)">click</div>',
  'span onmouseover inline': 'a <span onmouseover="alert(1)">b</span> c',
  style: '<style>body { display: none }</style>',
  'style attribute': '<p style="position:fixed;inset:0">x</p>',
  'form formaction': '<form><button formaction="javascript:alert(1)">x</button></form>',
  'input autofocus': '<input autofocus onfocus=alert(1)>',
  'math xlink': '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  'markdown data url': '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  'html data url': '<a href="data:text/html,<script>alert(1)</script>">x</a>',
  'vbscript link': '[x](vbscript:msgbox(1))',
  'details ontoggle': '<details open ontoggle=alert(1)>x</details>',
  'javascript autolink': '<javascript:alert(1)>',
  'markdown image javascript': '![x](javascript:alert(1))',
  'image alt breakout': '![a" onerror="alert(1)](https://evil.example/x.png)',
  'link title breakout': '[x](https://ok.example "t\\" onmouseover=\\"alert(1)")',
  'fence info injection': '```"><script>alert(1)</script>\ncode\n```',
  'noscript mxss': '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  'object/embed': '<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x">',
  'meta refresh': '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  'base href': '<base href="javascript:/">',
  'link stylesheet': '<link rel="stylesheet" href="https://evil.example/x.css">',
  'html in table cell': '| a |\n|---|\n| <img src=x onerror=alert(1)> |',
  'html in blockquote': '> <script>alert(1)</script>',
  'html in list': '- <iframe src=javascript:alert(1)>',
}

describe('renderMarkdown: XSS', () => {
  for (const [name, payload] of Object.entries(XSS_PAYLOADS)) {
    it(`neutralises ${name}`, () => {
      expectInert(renderMarkdown(payload))
    })
  }

  it('shows raw HTML as text instead of parsing it', () => {
    const html = renderMarkdown('<div onclick="alert(1)">hi</div>')
    expect(elements(html).map((el) => el.tagName)).toEqual(['P'])
    expect(textOf(html)).toContain('<div onclick="alert(1)">hi</div>')
  })

  it('keeps HTML inside code blocks as escaped text', () => {
    const html = renderMarkdown('```html\n<script>alert(1)</script>\n<img src=x onerror=alert(1)>\n```')
    expectInert(html)
    const code = elements(html).find((el) => el.matches('pre > code'))
    expect(code?.textContent).toBe('<script>alert(1)</script>\n<img src=x onerror=alert(1)>')
  })

  it('keeps HTML inside inline code as escaped text', () => {
    const html = renderMarkdown('use `<script>` and `<img onerror=x>`')
    expectInert(html)
    expect(textOf(html).trim()).toBe('use <script> and <img onerror=x>')
  })

  it('removes the href of javascript:, data:, vbscript: and relative links but keeps the text', () => {
    for (const href of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,x', 'vbscript:x', '/settings', '#top']) {
      const link = elements(renderMarkdown(`[label](${href})`)).find((el) => el.tagName === 'A')
      expect(link?.hasAttribute('href'), href).toBe(false)
      expect(link?.textContent).toBe('label')
    }
  })

  it('never loads images: a markdown image becomes its alt text', () => {
    const html = renderMarkdown('before ![a cat](https://example.com/cat.png) after')
    expect(elements(html).some((el) => el.tagName === 'IMG')).toBe(false)
    expect(textOf(html).trim()).toBe('before a cat after')
  })
})

describe('sanitizeHtml (second line of defence)', () => {
  for (const [name, payload] of Object.entries(XSS_PAYLOADS)) {
    it(`neutralises raw ${name}`, () => {
      expectInert(sanitizeHtml(payload))
    })
  }

  it('replaces an <img> by its alt text', () => {
    const html = sanitizeHtml('<p>a <img src="https://evil.example/t.gif" alt="logo" onerror="alert(1)"> b</p>')
    expect(html).toBe('<p>a logo b</p>')
  })

  it('forces target and rel on links and drops id/name/style', () => {
    const html = sanitizeHtml('<a href="https://ok.example" target="_self" id="x" name="y" style="color:red">ok</a>')
    const link = elements(html)[0]
    expect(link.getAttribute('href')).toBe('https://ok.example')
    expect(link.getAttribute('target')).toBe('_blank')
    expect(link.getAttribute('rel')).toBe('noopener noreferrer nofollow')
    expect(link.hasAttribute('id') || link.hasAttribute('name') || link.hasAttribute('style')).toBe(false)
  })

  it('drops links with control characters hiding the scheme', () => {
    const link = elements(sanitizeHtml('<a href="java\tscript:alert(1)">x</a>'))[0]
    expect(link.hasAttribute('href')).toBe(false)
  })
})

describe('renderMarkdown: formatting', () => {
  it('renders headings and paragraphs, with single newlines as breaks', () => {
    const html = renderMarkdown('# Title\n\n## Sub\n\nline one\nline two')
    expect(html).toContain('<h1>Title</h1>')
    expect(html).toContain('<h2>Sub</h2>')
    expect(html).toContain('<p>line one<br>line two</p>')
  })

  it('renders ordered, unordered and task lists', () => {
    const html = renderMarkdown('- a\n- b\n\n3. x\n4. y\n\n- [x] done\n- [ ] todo')
    expect(html).toMatch(/<ul>\s*<li>a<\/li>\s*<li>b<\/li>\s*<\/ul>/)
    expect(html).toContain('<ol start="3">')
    expect(textOf(html)).toContain('☑ done')
    expect(textOf(html)).toContain('☐ todo')
    expect(elements(html).some((el) => el.tagName === 'INPUT')).toBe(false)
  })

  it('renders GFM tables with alignment and <br> in cells', () => {
    const html = renderMarkdown('| a | b |\n|:--|--:|\n| 1 | 2<br>3 |')
    const tags = elements(html).map((el) => el.tagName)
    expect(tags).toEqual(expect.arrayContaining(['TABLE', 'THEAD', 'TBODY', 'TR', 'TH', 'TD', 'BR']))
    expect(html).toContain('<th align="right">b</th>')
  })

  it('renders inline code, emphasis, strikethrough and blockquotes', () => {
    const html = renderMarkdown('`x = 1` **b** *i* ~~d~~\n\n> quoted')
    expect(html).toContain('<code>x = 1</code>')
    expect(html).toContain('<strong>b</strong>')
    expect(html).toContain('<em>i</em>')
    expect(html).toContain('<del>d</del>')
    expect(html).toMatch(/<blockquote>\s*<p>quoted<\/p>\s*<\/blockquote>/)
  })

  it('highlights a fenced rust block and adds a header with a copy button', () => {
    const html = renderMarkdown('```rust\nfn main() {\n    let x = 42;\n}\n```', { copyLabel: '复制' })
    expectInert(html)
    expect(html).toContain('hljs-keyword')
    const block = elements(html).find((el) => el.classList.contains('code-block'))
    expect(block?.querySelector('.code-head .code-lang')?.textContent).toBe('rust')
    const button = block?.querySelector('button.code-copy')
    expect(button?.getAttribute('type')).toBe('button')
    expect(button?.hasAttribute('data-copy-code')).toBe(true)
    expect(button?.textContent).toBe('复制')
    expect(block?.querySelector('pre > code.hljs.language-rust')?.textContent).toBe('fn main() {\n    let x = 42;\n}')
  })

  it('resolves language aliases', () => {
    const samples: Record<string, string> = {
      ts: 'const x: number = 1',
      py: 'def f(): return "a"',
      sh: 'echo "hi"',
      yml: 'key: "value"',
      html: '<p class="x">hi</p>',
      'c++': 'int main() { return 0; }',
      golang: 'func main() {}',
      json: '{"a": 1}',
    }
    for (const [lang, code] of Object.entries(samples)) {
      expect(renderMarkdown(`\`\`\`${lang}\n${code}\n\`\`\``), lang).toContain('hljs-')
    }
  })

  it('shows an unknown language as escaped plain text', () => {
    const html = renderMarkdown('```brainfuck\n<b>+++</b> & more\n```')
    expect(html).not.toContain('hljs-')
    expect(html).toContain('&lt;b&gt;+++&lt;/b&gt; &amp; more')
    expect(elements(html).find((el) => el.classList.contains('code-lang'))?.textContent).toBe('brainfuck')
  })

  it('labels a block without a language as text', () => {
    const html = renderMarkdown('```\nplain\n```')
    expect(elements(html).find((el) => el.classList.contains('code-lang'))?.textContent).toBe('text')
    expect(html).toContain('class="hljs language-text"')
  })

  it('opens links in a new window without referrer or opener', () => {
    for (const source of ['[site](https://example.com)', '<https://example.com>', 'see https://example.com now']) {
      const link = elements(renderMarkdown(source)).find((el) => el.tagName === 'A')
      expect(link?.getAttribute('href'), source).toBe('https://example.com')
      expect(link?.getAttribute('target')).toBe('_blank')
      expect(link?.getAttribute('rel')).toBe('noopener noreferrer nofollow')
    }
  })

  it('keeps mailto links', () => {
    const link = elements(renderMarkdown('[mail](mailto:a@example.com)')).find((el) => el.tagName === 'A')
    expect(link?.getAttribute('href')).toBe('mailto:a@example.com')
  })

  it('gives the same HTML when blocks come from the cache', () => {
    const source = '# T\n\npara [a](https://a.example)\n\n```py\nx = 1\n```\n\n| a |\n|---|\n| 1 |'
    const first = renderMarkdown(source)
    expect(renderMarkdown(source)).toBe(first)
    expect(renderMarkdown(`${source}\n\nmore`)).toBe(`${first}<p>more</p>\n`)
  })

  it('re-resolves reference links when their definition changes', () => {
    const link = (source: string) => elements(renderMarkdown(source)).find((el) => el.tagName === 'A')
    expect(link('[x][1]')).toBeUndefined()
    expect(link('[x][1]\n\n[1]: https://one.example')?.getAttribute('href')).toBe('https://one.example')
    expect(link('[x][1]\n\n[1]: https://two.example')?.getAttribute('href')).toBe('https://two.example')
  })

  it('uses the copy label of each call, even for cached blocks', () => {
    const source = '```js\nx\n```'
    const label = (copyLabel: string) =>
      elements(renderMarkdown(source, { copyLabel })).find((el) => el.matches('[data-copy-code]'))?.textContent
    expect(label('Copy')).toBe('Copy')
    expect(label('复制')).toBe('复制')
    expect(label('Copy')).toBe('Copy')
  })

  it('renders an empty or half-streamed source without throwing', () => {
    expect(renderMarkdown('')).toBe('')
    expect(() => renderMarkdown('```py\ndef f(')).not.toThrow()
    expect(() => renderMarkdown('| a | b |\n|--')).not.toThrow()
  })
})

describe('streaming: incremental rendering', () => {
  it('gives the same blocks whether the text arrived at once or piece by piece', () => {
    const text = [
      '# Title\n\nA paragraph with **bold** and `code`.\n\n- one\n- two\n  continued\n\n',
      '```rust\nfn main() {\n    println!("hi");\n}\n```\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n',
      '> quote\n> more\n\n1. first\n2. second\n\nSetext heading\n---\n\nlast <b>raw</b> words',
    ].join('')
    const whole = renderMarkdownBlocks(text)
    // A different text first, so the incremental path starts from nothing.
    renderMarkdownBlocks('unrelated')
    let streamed: string[] = []
    for (let end = 1; end <= text.length; end += 7) streamed = renderMarkdownBlocks(text.slice(0, end))
    streamed = renderMarkdownBlocks(text)
    expect(streamed).toEqual(whole)
    expect(streamed.join('')).toBe(renderMarkdown(text))
  })

  it('resolves reference links defined after their use, also while streaming', () => {
    const text = 'See [the docs][d].\n\nMore text.\n\nAnd more.\n\n[d]: https://example.com/docs\n'
    let out = ''
    for (let end = 1; end <= text.length; end += 5) out = renderMarkdown(text.slice(0, end))
    out = renderMarkdown(text)
    expect(out).toContain('href="https://example.com/docs"')
  })
})
