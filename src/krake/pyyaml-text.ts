// Rules of PyYAML's scanner (scanner.py) that js-yaml does not keep, so that
// a file Krake cannot read is not read here either, and one it reads is read
// alike:
// - a TAB is whitespace only inside a quoted scalar, a comment or a block
//   scalar: anywhere else (after `key:`, between words of a plain scalar, at a
//   line's end, in a flow collection) "found character '\t' that cannot start
//   any token";
// - NEL (U+0085), LS (U+2028) and PS (U+2029) are line breaks everywhere (a
//   comment ends at one; a plain scalar is cut at one); in a quoted scalar NEL
//   folds as a newline does and LS and PS stay as they are;
// - a quoted scalar's next lines need no indentation, and a `#` right after a
//   quoted scalar or a flow collection starts a comment;
// - in a block mapping, a `:` needs a key on its own line (`? ` aside): an
//   empty key is refused.
// The text is read once, token boundaries as PyYAML finds them, and given to
// js-yaml with those breaks as '\n' (one character for one: lines keep their
// numbers). Known difference: a plain scalar continued past an LS or PS holds
// a space here where PyYAML keeps the character.

/** Where PyYAML's scanner or parser refuses the text, 1-based as its messages say. */
export class PyYamlError extends Error {
  constructor(
    what: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${what} (line ${line}, column ${column}), as PyYAML reads it`)
  }
}

const BREAKS = new Set(['\n', '\r', '\u0085', '\u2028', '\u2029'])
const FLOW = new Set([',', '[', ']', '{', '}'])
const isBreak = (c: string | undefined) => c !== undefined && BREAKS.has(c)
/** A character after which an indicator (`:`, `-`, `?`) stands alone. */
const endsIndicator = (c: string | undefined, flow: number) =>
  c === undefined || c === ' ' || c === '\t' || isBreak(c) || (flow > 0 && FLOW.has(c))

class Scan {
  out = ''
  i = 0
  line = 1
  lineStart = 0
  flow = 0
  /** Inside a plain scalar: a quote, `#` without a space before it, `|` or `>` belong to it. */
  plain = false
  /** The block indentation a plain scalar continues past on its next lines (-1: a bare scalar document). */
  plainIndent = -1
  /** A node (scalar, alias, flow collection) was read on this line since the last indicator: a key for a `:`. */
  keyed = false
  /** A `? ` explicit key is open: its `:` may stand on a line of its own. */
  explicitKey = false
  /** A block indicator (`key:` or `- `) stands on this line: a scalar started here is nested at its indentation. */
  structured = false
  /** The indentation of the last line a block indicator stood on: the block a node on a line of its own sits in. */
  lastBlock = -1
  /** The last token was an indicator (`:`, `-`, `?`): a node is awaited, on this line or a later one. */
  awaiting = false

  constructor(readonly text: string) {}

  get column(): number {
    return this.i - this.lineStart + 1
  }

  fail(what: string): never {
    throw new PyYamlError(what, this.line, this.column)
  }

  indentOf(start: number): number {
    let k = start
    while (this.text[k] === ' ') k++
    return k - start
  }

  /** One line break, given to js-yaml as '\n' ('\r\n' and '\r' kept). */
  newline(): void {
    const { text } = this
    if (text[this.i] === '\r' && text[this.i + 1] === '\n') {
      this.out += '\r\n'
      this.i += 2
    } else {
      this.out += text[this.i] === '\r' ? '\r' : '\n'
      this.i++
    }
    this.line++
    this.lineStart = this.i
    this.keyed = false
    this.structured = false
    // a plain scalar goes on while its next lines are indented past its block (PyYAML's scan_plain)
    if (this.plain && this.flow === 0) {
      const own = this.indentOf(this.i)
      const rest = text[this.i + own]
      const blank = rest === undefined || isBreak(rest)
      const marker =
        own === 0 &&
        (text.startsWith('---', this.i) || text.startsWith('...', this.i)) &&
        endsIndicator(text[this.i + 3], 0)
      this.plain = !marker && (blank || (own > this.plainIndent && rest !== '#'))
    } else if (this.flow === 0) this.plain = false
  }

  comment(): void {
    while (this.i < this.text.length && !isBreak(this.text[this.i])) this.out += this.text.charAt(this.i++)
  }

  quoted(quote: string): void {
    const { text } = this
    const column = this.i - this.lineStart
    this.out += quote
    this.i++
    while (this.i < text.length) {
      const q = text[this.i] ?? ''
      if (q === '\\' && quote === '"') {
        this.out += q + (text[this.i + 1] ?? '')
        this.i += 2
      } else if (q === quote && quote === "'" && text[this.i + 1] === "'") {
        this.out += "''"
        this.i += 2
      } else if (q === quote) {
        this.out += q
        this.i++
        return
      } else if (q === '\u0085' || q === '\r' || q === '\n') {
        // PyYAML folds the breaks of a quoted scalar without looking at indentation (one break is
        // a space, n are n-1 newlines; the spaces around them go): given to js-yaml as the same
        // number of '\n', each next line indented past the quote, which it folds alike
        this.out = this.out.replace(/[ \t]+$/, '')
        let breaks = 0
        while (text[this.i] === '\u0085' || text[this.i] === '\r' || text[this.i] === '\n') {
          this.i += text[this.i] === '\r' && text[this.i + 1] === '\n' ? 2 : 1
          breaks++
          this.line++
          this.lineStart = this.i
          while (text[this.i] === ' ' || text[this.i] === '\t') this.i++
        }
        this.out += '\n'.repeat(breaks) + ' '.repeat(column + 1)
      } else {
        // LS and PS stay in a quoted scalar (scan_line_break gives them back as themselves)
        if (q === '\u2028' || q === '\u2029') {
          this.line++
          this.lineStart = this.i + 1
        }
        this.out += q
        this.i++
      }
    }
  }

  /** A block scalar: its header line, then every line more indented than its block, whatever they hold. */
  blockScalar(): void {
    const { text } = this
    const parent = this.structured ? this.indentOf(this.lineStart) : this.lastBlock
    while (this.i < text.length && !isBreak(text[this.i])) {
      if (text[this.i] === '\t') this.fail("found character '\\t' that cannot start any token")
      if (text[this.i] === '#' && text[this.i - 1] === ' ') {
        this.comment()
        break
      }
      this.out += text.charAt(this.i++)
    }
    while (this.i < text.length) {
      this.newline()
      const own = this.indentOf(this.lineStart)
      const rest = text[this.lineStart + own]
      // a line of spaces only is blank; one that holds a TAB before its text is not
      const blank = rest === undefined || isBreak(rest)
      if (!blank && own <= parent) return
      while (this.i < text.length && !isBreak(text[this.i])) this.out += text.charAt(this.i++)
    }
  }

  /** A node starts: from here to its end it is a key for a `:` that follows. */
  node(): void {
    this.keyed = true
    this.awaiting = false
  }

  step(): void {
    const { text } = this
    const c = text[this.i] ?? ''
    if (isBreak(c)) return this.newline()
    if (c === '\t') this.fail("found character '\\t' that cannot start any token")
    if (c === ' ') {
      this.out += c
      this.i++
      return
    }
    if (
      this.i === this.lineStart &&
      (text.startsWith('---', this.i) || text.startsWith('...', this.i)) &&
      endsIndicator(text[this.i + 3], 0)
    ) {
      // a document marker: what follows starts a node
      this.out += text.slice(this.i, this.i + 3)
      this.i += 3
      this.plain = false
      return
    }
    const prev = this.i === this.lineStart ? ' ' : text[this.i - 1]
    if (c === '#' && (prev === ' ' || !this.plain)) {
      // between tokens a `#` starts a comment even with no space before it; js-yaml wants one
      if (prev !== ' ') this.out += ' '
      if (this.flow === 0) this.plain = false
      return this.comment()
    }
    if (!this.plain && (c === '"' || c === "'")) {
      this.node()
      return this.quoted(c)
    }
    if (!this.plain && this.flow === 0 && (c === '|' || c === '>')) {
      // PyYAML takes a block scalar's indicator at any column of a line of its own (`k:` then `|`
      // under it); js-yaml wants it indented past the key: one space more on that line
      if (this.awaiting && !this.structured && this.i - this.lineStart === this.indentOf(this.lineStart))
        this.out += ' '
      this.awaiting = false
      return this.blockScalar()
    }
    if (FLOW.has(c) && (this.flow > 0 || !this.plain)) {
      if (c === '[' || c === '{') {
        this.flow++
        this.awaiting = false
      } else if ((c === ']' || c === '}') && this.flow > 0) {
        this.flow--
        this.node()
      }
      this.out += c
      this.i++
      this.plain = false
      return
    }
    this.indicatorOrPlain(c)
  }

  /** At a character that is no break, space, marker, comment, quote, block scalar or flow bracket: an indicator, or plain text. */
  indicatorOrPlain(c: string): void {
    const { text } = this
    const alone = endsIndicator(text[this.i + 1], this.flow)
    if (c === ':' && (alone || (this.flow > 0 && !this.plain))) {
      if (this.flow === 0 && !this.keyed && !this.explicitKey) this.fail('a ":" with no key before it on its line')
      this.explicitKey = false
      this.out += c
      this.i++
      this.plain = false
      this.keyed = false
      this.awaiting = true
      this.structured = true
      this.lastBlock = this.indentOf(this.lineStart)
      return
    }
    if (!this.plain && (c === '-' || c === '?') && alone) {
      if (c === '?') this.explicitKey = true
      this.out += c
      this.i++
      this.keyed = false
      this.awaiting = true
      if (this.flow === 0) {
        this.structured = true
        this.lastBlock = this.indentOf(this.lineStart)
      }
      return
    }
    if (!this.plain && (c === '&' || c === '*' || c === '!')) {
      // an anchor, alias or tag: to the next space or line break
      this.node()
      while (this.i < text.length && text[this.i] !== ' ' && text[this.i] !== '\t' && !isBreak(text[this.i]))
        this.out += text.charAt(this.i++)
      return
    }
    if (!this.plain) this.plainIndent = this.structured ? this.indentOf(this.lineStart) : -1
    this.plain = true
    this.node()
    this.out += c
    this.i++
  }
}

/** The text as PyYAML's scanner sees it (see above); throws PyYamlError where PyYAML refuses it. */
export function pyyamlText(text: string): string {
  const scan = new Scan(text)
  while (scan.i < text.length) scan.step()
  return scan.out
}
