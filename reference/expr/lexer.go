package expr

import (
	"strings"
	"unicode/utf8"
)

// tokenKind classifies the tokens of DynamoDB's expression languages.
type tokenKind uint8

const (
	tEOF    tokenKind = iota
	tIdent            // a literal name: a letter, then letters, digits or '_'
	tName             // an expression attribute name: '#' then [A-Za-z0-9_]+
	tValue            // an expression attribute value: ':' then [A-Za-z0-9_]+
	tNumber           // digits (list indexes)
	tPunct            // ( ) [ ] . , = <> < <= > >= + -
	tOther            // anything else: always a syntax error where it appears
)

// token is one lexical token with its byte span in the source.
type token struct {
	kind       tokenKind
	text       string
	start, end int
}

// display is the token as DynamoDB prints it in "Syntax error; token: ...".
func (t token) display() string {
	if t.kind == tEOF {
		return "<EOF>"
	}
	return t.text
}

// is reports whether t is the punctuation or keyword s (keywords are
// case-insensitive, as in DynamoDB).
func (t token) is(s string) bool {
	switch t.kind {
	case tPunct:
		return t.text == s
	case tIdent:
		return strings.EqualFold(t.text, s)
	}
	return false
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isWordByte(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '_'
}

// lex splits s into tokens, always ending with a tEOF token. DynamoDB's lexer
// recognises a literal name only when it starts with a letter, so "_a" is the
// tokens "_" and "a", and "1a" is "1" and "a".
func lex(s string) []token {
	toks := make([]token, 0, len(s)/3+2)
	i := 0
	for i < len(s) {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			i++
			continue
		}
		start := i
		kind := tOther
		switch {
		case isLetter(c):
			for i++; i < len(s) && isWordByte(s[i]); i++ {
			}
			kind = tIdent
		case isDigit(c):
			for i++; i < len(s) && isDigit(s[i]); i++ {
			}
			kind = tNumber
		case c == '#' || c == ':':
			j := i + 1
			for j < len(s) && isWordByte(s[j]) {
				j++
			}
			if j > i+1 {
				kind = tName
				if c == ':' {
					kind = tValue
				}
				i = j
			} else {
				i++
			}
		case c == '<':
			i++
			if i < len(s) && (s[i] == '>' || s[i] == '=') {
				i++
			}
			kind = tPunct
		case c == '>':
			i++
			if i < len(s) && s[i] == '=' {
				i++
			}
			kind = tPunct
		case strings.IndexByte("()[].,=+-", c) >= 0:
			i++
			kind = tPunct
		default:
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
		}
		toks = append(toks, token{kind: kind, text: s[start:i], start: start, end: i})
	}
	return append(toks, token{kind: tEOF, start: len(s), end: len(s)})
}
