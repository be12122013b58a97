// Package confx decodes Earshot's YAML configuration strictly: ${ENV}
// expansion, unknown keys rejected, and every error naming the file, line
// and key so a typo is found in seconds.
package confx

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"
)

// envRef matches ${NAME} and ${NAME:-default}. A bare $NAME is left alone so
// passwords and regexps containing '$' survive.
var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

// ExpandEnv replaces ${NAME} and ${NAME:-default} with environment values.
// A reference to an unset variable without a default is an error naming it
// and its line, so a missing secret fails at start-up rather than at use.
func ExpandEnv(data []byte, lookup func(string) (string, bool)) ([]byte, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	var errs []error
	lines := strings.SplitAfter(string(data), "\n")
	for i, line := range lines {
		if strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue // commented examples may name variables nobody set
		}
		lines[i] = envRef.ReplaceAllStringFunc(line, func(ref string) string {
			m := envRef.FindStringSubmatch(ref)
			if v, ok := lookup(m[1]); ok {
				return v
			}
			if m[2] != "" {
				return m[3]
			}
			errs = append(errs, fmt.Errorf("line %d: environment variable %s is not set", i+1, m[1]))
			return ref
		})
	}
	return []byte(strings.Join(lines, "")), errors.Join(errs...)
}

// Error is a configuration error at a position in a file.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		fmt.Fprintf(&b, "%d:", e.Line)
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Key != "" {
		fmt.Fprintf(&b, "%s: ", e.Key)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Decode decodes node into dst (a pointer to a struct with yaml tags),
// rejecting keys that dst does not have. path is the dotted key of node
// (for messages), file the file name it came from. Errors are *Error values
// joined together, so every problem in the file is reported at once.
func Decode(file, path string, node *yaml.Node, dst any) error {
	if node == nil || node.Kind == 0 {
		return nil
	}
	unknown := checkKnown(file, path, node, reflect.TypeOf(dst))
	if err := node.Decode(dst); err != nil {
		return errors.Join(unknown, typeErrors(file, path, node, err))
	}
	return unknown
}

// Errorf builds a positioned error for a node, for validation code.
func Errorf(file, key string, node *yaml.Node, format string, args ...any) error {
	line := 0
	if node != nil {
		line = node.Line
	}
	return &Error{File: file, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// checkKnown walks node alongside t and reports mapping keys with no field.
func checkKnown(file, path string, node *yaml.Node, t reflect.Type) error {
	for t != nil && (t.Kind() == reflect.Pointer) {
		t = t.Elem()
	}
	if t == nil {
		return nil
	}
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	if node.Kind == yaml.AliasNode && node.Alias != nil {
		node = node.Alias
	}
	// Types that decode themselves are trusted to validate their own shape.
	if reflect.PointerTo(t).Implements(reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()) || t == reflect.TypeOf(yaml.Node{}) {
		return nil
	}
	var errs []error
	switch t.Kind() {
	case reflect.Struct:
		if node.Kind != yaml.MappingNode {
			return nil // node.Decode reports the type mismatch with its line
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(node.Content); i += 2 {
			k, v := node.Content[i], node.Content[i+1]
			if k.Value == "<<" {
				continue
			}
			ft, ok := fields[k.Value]
			if !ok {
				errs = append(errs, &Error{File: file, Line: k.Line, Key: join(path, k.Value),
					Msg: "unknown key" + suggest(k.Value, fields)})
				continue
			}
			if err := checkKnown(file, join(path, k.Value), v, ft); err != nil {
				errs = append(errs, err)
			}
		}
	case reflect.Slice, reflect.Array:
		if node.Kind == yaml.SequenceNode {
			for i, item := range node.Content {
				if err := checkKnown(file, fmt.Sprintf("%s[%d]", path, i), item, t.Elem()); err != nil {
					errs = append(errs, err)
				}
			}
		}
	case reflect.Map:
		if node.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(node.Content); i += 2 {
				if err := checkKnown(file, join(path, node.Content[i].Value), node.Content[i+1], t.Elem()); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// yamlFields maps the yaml keys of a struct (following inline embeds) to field types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("yaml")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range yamlFields(ft) {
					out[k] = v
				}
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// typeErrors turns yaml.v3's TypeError ("line 5: cannot unmarshal ...") into
// positioned errors with the file name.
func typeErrors(file, path string, node *yaml.Node, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, 0, len(te.Errors))
		for _, e := range te.Errors {
			line := 0
			msg := e
			if n, rest, ok := strings.Cut(e, ": "); ok && strings.HasPrefix(n, "line ") {
				fmt.Sscanf(n, "line %d", &line)
				msg = rest
			}
			errs = append(errs, &Error{File: file, Line: line, Key: path, Msg: msg})
		}
		return errors.Join(errs...)
	}
	return &Error{File: file, Line: node.Line, Key: path, Msg: err.Error()}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest names the closest known key, for typos.
func suggest(key string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for k := range fields {
		if d := levenshtein(key, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// KeyError is a validation error at a key path ("feeds[0].url"), relative to
// the section whose Validate returned it. It survives wrapping: Position
// finds it under any "%w" a factory adds ("feed connector %q: %w") and under
// errors.Join, so `earshot config check` reports it at its own line.
type KeyError struct {
	Key string
	Err error
}

// Error reads "key: message", one line per problem when it holds several
// (a section's joined errors under its key).
func (e *KeyError) Error() string {
	var leaves []*Error
	collect(e, "", &leaves)
	lines := make([]string, len(leaves))
	for i, l := range leaves {
		lines[i] = l.Error()
	}
	return strings.Join(lines, "\n")
}
func (e *KeyError) Unwrap() error { return e.Err }

// Keyf returns a *KeyError for key with a formatted message (%w allowed).
func Keyf(key, format string, args ...any) error {
	return &KeyError{Key: key, Err: fmt.Errorf(format, args...)}
}

// Position turns the errors in err into *Error values carrying the file and
// the line of their key in root. prefix is the path of the section whose
// validation produced err (e.g. "connectors[0].config"); keys of *KeyError
// values are taken relative to it, *Error values (from Decode) keep their
// own key and line. An error with no key at all is placed at prefix.
func Position(file string, root *yaml.Node, prefix string, err error) error {
	if err == nil {
		return nil
	}
	var leaves []*Error
	collect(err, prefix, &leaves)
	out := make([]error, 0, len(leaves))
	for _, e := range leaves {
		e.File = file
		if e.Line == 0 {
			e.Line = lineOf(root, e.Key)
		}
		out = append(out, e)
	}
	return errors.Join(out...)
}

// collect walks err's tree (joins and wraps) and appends one *Error per
// problem, with its full key. Wrapping text around a keyed error ("feed
// connector %q: ...") is dropped: the key says where the problem is.
func collect(err error, prefix string, out *[]*Error) {
	switch e := err.(type) {
	case *Error:
		c := *e
		if prefix != "" && c.Key != "" && !strings.HasPrefix(c.Key, prefix) {
			c.Key = JoinKey(prefix, c.Key)
		}
		*out = append(*out, &c)
		return
	case *KeyError:
		if keyed(e.Err) {
			collect(e.Err, JoinKey(prefix, e.Key), out)
			return
		}
		*out = append(*out, &Error{Key: JoinKey(prefix, e.Key), Msg: e.Err.Error()})
		return
	case interface{ Unwrap() []error }:
		for _, inner := range e.Unwrap() {
			collect(inner, prefix, out)
		}
		return
	}
	if inner := errors.Unwrap(err); inner != nil && keyed(inner) {
		collect(inner, prefix, out)
		return
	}
	*out = append(*out, &Error{Key: prefix, Msg: err.Error()})
}

// keyed reports whether err's tree holds a *KeyError or *Error.
func keyed(err error) bool {
	var ke *KeyError
	var ce *Error
	return errors.As(err, &ke) || errors.As(err, &ce)
}

// JoinKey appends key to the path prefix ("a" + "b" = "a.b", "a" + "[0]" = "a[0]").
func JoinKey(prefix, key string) string {
	switch {
	case prefix == "":
		return key
	case key == "":
		return prefix
	case strings.HasPrefix(key, "["):
		return prefix + key
	}
	return prefix + "." + key
}

func flatten(err error, out *[]error) {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			flatten(e, out)
		}
		return
	}
	*out = append(*out, err)
}

// lineOf finds the line of a dotted key ("kafka.topics.partitions",
// "connectors[0].config.path") in a document, or of its deepest existing
// parent; 0 when nothing matches.
func lineOf(root *yaml.Node, path string) int {
	line, _ := walk(root, path)
	return line
}

// Has reports whether a document names a dotted key, for a default that
// depends on another setting and must not override what the file says.
func Has(root *yaml.Node, path string) bool {
	_, found := walk(root, path)
	return found
}

// walk follows a dotted key through a document: the line of the deepest
// part found, and whether every part was.
func walk(root *yaml.Node, path string) (line int, found bool) {
	node := root
	if node != nil && node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	for _, part := range strings.Split(path, ".") {
		name, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 && strings.HasSuffix(part, "]") {
			name = part[:i]
			fmt.Sscanf(part[i+1:len(part)-1], "%d", &idx)
		}
		if node == nil || node.Kind != yaml.MappingNode {
			return line, false
		}
		var next *yaml.Node
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value == name {
				line = node.Content[i].Line
				next = node.Content[i+1]
				break
			}
		}
		if next == nil {
			return line, false
		}
		if idx >= 0 {
			if next.Kind != yaml.SequenceNode || idx >= len(next.Content) {
				return line, false
			}
			next = next.Content[idx]
			line = next.Line
		}
		node = next
	}
	return line, true
}

// Prefix puts every error in err under the key path prefix, so a section's
// Validate can report keys relative to itself and its parent name the full
// path: a *KeyError's key is joined to prefix, any other error becomes a
// *KeyError at prefix.
func Prefix(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var leaves []error
	flatten(err, &leaves)
	out := make([]error, len(leaves))
	for i, e := range leaves {
		out[i] = &KeyError{Key: prefix, Err: e}
	}
	return errors.Join(out...)
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// Syntax turns a YAML syntax error of data into an *Error on the line where
// the problem is. yaml.v3 reports the line where the enclosing block began
// (an indentation slip on line 3 under a key on line 1 says "line 1"), so
// the line is found again: it is the last line of the shortest leading part
// of the document that fails with the same complaint.
func Syntax(file string, data []byte, err error) error {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return &Error{File: file, Msg: err.Error()}
	}
	msg := strings.TrimPrefix(err.Error(), m[0])
	var line int
	fmt.Sscanf(m[1], "%d", &line)
	lines := strings.SplitAfter(string(data), "\n")
	for k := 1; k <= len(lines); k++ {
		var n yaml.Node
		perr := yaml.Unmarshal([]byte(strings.Join(lines[:k], "")), &n)
		if perr == nil {
			continue
		}
		if pm := yamlLine.FindStringSubmatch(perr.Error()); pm != nil && strings.TrimPrefix(perr.Error(), pm[0]) == msg {
			line = k
			break
		}
	}
	return &Error{File: file, Line: line, Msg: "YAML syntax: " + msg}
}
