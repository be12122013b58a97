package query

import (
	"fmt"
	"strconv"
)

// Syntax error codes: the pages show each in the reader's language (web/i18n
// keys "qerr.CODE" with the same arguments); the API answers the English
// message below.
const (
	ErrUnterminatedPhrase = "unterminated_phrase"
	ErrEmptyPhrase        = "empty_phrase"
	ErrPhrasePrefix       = "phrase_prefix"
	ErrColonNoField       = "colon_no_field"
	ErrStarInsideWord     = "star_inside_word"
	ErrStarAlone          = "star_alone"
	ErrUnmatchedRParen    = "unmatched_rparen"
	ErrUnexpected         = "unexpected"
	ErrNeedsTermAfter     = "needs_term_after"
	ErrNeedsTermBefore    = "needs_term_before"
	ErrEmptyParens        = "empty_parens"
	ErrMissingRParen      = "missing_rparen"
	ErrNestedField        = "nested_field"
	ErrUnknownField       = "unknown_field"
	ErrFieldNeedsValue    = "field_needs_value"
	ErrQueryEnds          = "query_ends"
	ErrExpectedTerm       = "expected_term"
)

// Messages are the English texts of the codes; their verbs are %s and %d
// only (field names arrive quoted), so every translation takes the same
// arguments.
var Messages = map[string]string{
	ErrUnterminatedPhrase: "unterminated phrase: the quote opened here is never closed",
	ErrEmptyPhrase:        "empty phrase",
	ErrPhrasePrefix:       "a phrase cannot end with '*'; use prefix* on a single word",
	ErrColonNoField:       "':' needs a field name before it",
	ErrStarInsideWord:     "'*' is only allowed at the end of a word",
	ErrStarAlone:          "'*' needs a word before it",
	ErrUnmatchedRParen:    "unmatched ')'",
	ErrUnexpected:         "unexpected %s",
	ErrNeedsTermAfter:     "%s at position %d needs a term after it, got %s",
	ErrNeedsTermBefore:    "%s needs a term before it",
	ErrEmptyParens:        "empty parentheses",
	ErrMissingRParen:      "missing ')' for the '(' at position %d",
	ErrNestedField:        "field %s inside a group that already has a field",
	ErrUnknownField:       "unknown field %s (known: %s; quote a value containing ':')",
	ErrFieldNeedsValue:    "field %s needs a value after ':', got %s",
	ErrQueryEnds:          "query ends where a term was expected",
	ErrExpectedTerm:       "expected a term, got %s",
}

// Token names that appear as arguments: what a translation must name in
// its own words (operators and brackets are the same in every language).
const (
	TokenEnd    = "end of query"
	TokenWord   = "word"
	TokenPhrase = "phrase"
	TokenField  = "field"
)

func syntaxError(q string, pos int, code string, args ...any) *SyntaxError {
	for i, a := range args {
		if k, ok := a.(tokKind); ok {
			args[i] = k.String()
		}
	}
	return &SyntaxError{Query: q, Pos: pos, Code: code, Args: args, Msg: fmt.Sprintf(Messages[code], args...)}
}

// quoted is a field name as an error shows it.
func quoted(s string) string { return strconv.Quote(s) }
