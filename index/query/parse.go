package query

import (
	"strings"
	"unicode"
)

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokPhrase
	tokField
	tokAnd
	tokOr
	tokNot
	tokMinus
	tokLParen
	tokRParen
)

func (k tokKind) String() string {
	switch k {
	case tokEOF:
		return TokenEnd
	case tokWord:
		return TokenWord
	case tokPhrase:
		return TokenPhrase
	case tokField:
		return TokenField
	case tokAnd:
		return "AND"
	case tokOr:
		return "OR"
	case tokNot:
		return "NOT"
	case tokMinus:
		return "'-'"
	case tokLParen:
		return "'('"
	case tokRParen:
		return "')'"
	}
	return "token"
}

type token struct {
	kind   tokKind
	text   string
	prefix bool
	pos    int // 1-based rune position
}

// lex splits a query into tokens, naming the position of anything it cannot read.
func lex(q string) ([]token, error) {
	rs := []rune(q)
	var toks []token
	for i := 0; i < len(rs); {
		r := rs[i]
		pos := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '(':
			toks = append(toks, token{kind: tokLParen, pos: pos})
			i++
		case r == ')':
			toks = append(toks, token{kind: tokRParen, pos: pos})
			i++
		case r == '"':
			var b strings.Builder
			j := i + 1
			closed := false
			for j < len(rs) {
				if rs[j] == '\\' && j+1 < len(rs) && (rs[j+1] == '"' || rs[j+1] == '\\') {
					b.WriteRune(rs[j+1])
					j += 2
					continue
				}
				if rs[j] == '"' {
					closed = true
					break
				}
				b.WriteRune(rs[j])
				j++
			}
			if !closed {
				return nil, syntaxError(q, pos, ErrUnterminatedPhrase)
			}
			text := strings.TrimSpace(b.String())
			if text == "" {
				return nil, syntaxError(q, pos, ErrEmptyPhrase)
			}
			j++ // closing quote
			if j < len(rs) && rs[j] == '*' {
				return nil, syntaxError(q, j+1, ErrPhrasePrefix)
			}
			toks = append(toks, token{kind: tokPhrase, text: text, pos: pos})
			i = j
		case r == '-' && i+1 < len(rs) && !unicode.IsSpace(rs[i+1]):
			// At the start of a token '-' negates; inside a word ("e-mail") it
			// is part of the word and never reaches this case.
			toks = append(toks, token{kind: tokMinus, pos: pos})
			i++
		default:
			j := i
			for j < len(rs) && !unicode.IsSpace(rs[j]) && rs[j] != '(' && rs[j] != ')' && rs[j] != '"' && rs[j] != ':' {
				j++
			}
			word := string(rs[i:j])
			if j < len(rs) && rs[j] == ':' {
				if word == "" {
					return nil, syntaxError(q, pos, ErrColonNoField)
				}
				toks = append(toks, token{kind: tokField, text: word, pos: pos})
				i = j + 1
				continue
			}
			i = j
			switch word {
			case "AND":
				toks = append(toks, token{kind: tokAnd, pos: pos})
				continue
			case "OR":
				toks = append(toks, token{kind: tokOr, pos: pos})
				continue
			case "NOT":
				toks = append(toks, token{kind: tokNot, pos: pos})
				continue
			}
			t := token{kind: tokWord, text: word, pos: pos}
			if word != "*" && strings.HasSuffix(word, "*") {
				t.prefix = true
				t.text = strings.TrimRight(word, "*")
			}
			if k := strings.IndexRune(t.text, '*'); k >= 0 && word != "*" {
				return nil, syntaxError(q, pos+len([]rune(t.text[:k])), ErrStarInsideWord)
			}
			if t.prefix && t.text == "" {
				return nil, syntaxError(q, pos, ErrStarAlone)
			}
			toks = append(toks, t)
		}
	}
	toks = append(toks, token{kind: tokEOF, pos: len(rs) + 1})
	return toks, nil
}

type parser struct {
	q    string
	toks []token
	i    int
}

// Parse parses a query. The empty (or all-space) query matches everything.
func Parse(q string) (Node, error) {
	toks, err := lex(q)
	if err != nil {
		return nil, err
	}
	p := &parser{q: q, toks: toks}
	if p.peek().kind == tokEOF {
		return &All{}, nil
	}
	n, err := p.parseOr("")
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.kind == tokRParen {
			return nil, p.errf(t, ErrUnmatchedRParen)
		}
		return nil, p.errf(t, ErrUnexpected, t.kind)
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token { t := p.toks[p.i]; p.i++; return t }

func (p *parser) errf(t token, code string, args ...any) error {
	return syntaxError(p.q, t.pos, code, args...)
}

func (p *parser) parseOr(field string) (Node, error) {
	first, err := p.parseAnd(field)
	if err != nil {
		return nil, err
	}
	children := []Node{first}
	for p.peek().kind == tokOr {
		op := p.next()
		if !p.startsOperand() {
			return nil, p.errf(p.peek(), ErrNeedsTermAfter, "OR", op.pos, p.peek().kind)
		}
		n, err := p.parseAnd(field)
		if err != nil {
			return nil, err
		}
		children = append(children, n)
	}
	if len(children) == 1 {
		return first, nil
	}
	return &Or{Children: children}, nil
}

func (p *parser) startsOperand() bool {
	switch p.peek().kind {
	case tokWord, tokPhrase, tokField, tokLParen, tokNot, tokMinus:
		return true
	}
	return false
}

func (p *parser) parseAnd(field string) (Node, error) {
	if k := p.peek().kind; k == tokAnd || k == tokOr {
		return nil, p.errf(p.peek(), ErrNeedsTermBefore, k)
	}
	first, err := p.parseUnary(field)
	if err != nil {
		return nil, err
	}
	children := []Node{first}
	for {
		if p.peek().kind == tokAnd {
			op := p.next()
			if !p.startsOperand() {
				return nil, p.errf(p.peek(), ErrNeedsTermAfter, "AND", op.pos, p.peek().kind)
			}
		} else if !p.startsOperand() {
			break
		}
		n, err := p.parseUnary(field)
		if err != nil {
			return nil, err
		}
		children = append(children, n)
	}
	if len(children) == 1 {
		return first, nil
	}
	return &And{Children: children}, nil
}

func (p *parser) parseUnary(field string) (Node, error) {
	if k := p.peek().kind; k == tokNot || k == tokMinus {
		op := p.next()
		if !p.startsOperand() {
			return nil, p.errf(p.peek(), ErrNeedsTermAfter, op.kind, op.pos, p.peek().kind)
		}
		child, err := p.parseUnary(field)
		if err != nil {
			return nil, err
		}
		return &Not{Child: child}, nil
	}
	return p.parsePrimary(field)
}

func (p *parser) parsePrimary(field string) (Node, error) {
	t := p.next()
	switch t.kind {
	case tokLParen:
		if p.peek().kind == tokRParen {
			return nil, p.errf(p.peek(), ErrEmptyParens)
		}
		n, err := p.parseOr(field)
		if err != nil {
			return nil, err
		}
		if p.peek().kind != tokRParen {
			return nil, p.errf(p.peek(), ErrMissingRParen, t.pos)
		}
		p.next()
		return n, nil
	case tokField:
		if field != "" {
			return nil, p.errf(t, ErrNestedField, quoted(t.text))
		}
		name, ok := fieldAliases[strings.ToLower(t.text)]
		if !ok {
			return nil, p.errf(t, ErrUnknownField, quoted(t.text), strings.Join(KnownFields(), ", "))
		}
		switch p.peek().kind {
		case tokWord, tokPhrase, tokLParen:
		default:
			return nil, p.errf(p.peek(), ErrFieldNeedsValue, quoted(t.text), p.peek().kind)
		}
		return p.parsePrimary(name)
	case tokWord:
		if t.text == "*" && !t.prefix {
			return &All{}, nil
		}
		return &Term{Field: textAsEmpty(field), Value: t.text, Prefix: t.prefix, Pos: t.pos}, nil
	case tokPhrase:
		return &Term{Field: textAsEmpty(field), Value: t.text, Phrase: true, Pos: t.pos}, nil
	case tokRParen:
		return nil, p.errf(t, ErrUnmatchedRParen)
	case tokEOF:
		return nil, p.errf(t, ErrQueryEnds)
	}
	return nil, p.errf(t, ErrExpectedTerm, t.kind)
}

// textAsEmpty maps the explicit text field to the full-text marker "".
func textAsEmpty(field string) string {
	if field == TextField {
		return ""
	}
	return field
}
