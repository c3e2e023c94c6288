package cim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// A KeyBinding is one key property of an instance path.
type KeyBinding struct {
	Name  string
	Value Value
}

// An ObjectPath names a class or an instance: an optional host, a namespace,
// the class name, and for instances the key bindings. Its text form is the
// untyped WBEM URI of DSP0207: //host/root/virt:Ferrum_ComputerSystem.CreationClassName="Ferrum_ComputerSystem",Name="vm1".
type ObjectPath struct {
	Host      string
	Namespace string
	ClassName string
	Keys      []KeyBinding
}

// NewInstancePath returns the path of an instance of class in namespace ns
// with the given key name/value pairs.
func NewInstancePath(ns, class string, keys ...KeyBinding) ObjectPath {
	return ObjectPath{Namespace: ns, ClassName: class, Keys: keys}
}

// Key returns the value of the key named name (case-insensitive).
func (p ObjectPath) Key(name string) (Value, bool) {
	for _, k := range p.Keys {
		if strings.EqualFold(k.Name, name) {
			return k.Value, true
		}
	}
	return Value{}, false
}

// IsInstance reports whether p names an instance (has key bindings).
func (p ObjectPath) IsInstance() bool { return len(p.Keys) > 0 }

// Local returns p without its host.
func (p ObjectPath) Local() ObjectPath {
	p.Host = ""
	return p
}

// String formats p as an untyped WBEM URI. Without a host the URI starts
// with "/"; without a namespace it is just the class with its keys.
func (p ObjectPath) String() string {
	var b strings.Builder
	if p.Host != "" {
		b.WriteString("//")
		b.WriteString(p.Host)
		b.WriteByte('/')
	} else if p.Namespace != "" {
		b.WriteByte('/')
	}
	if p.Namespace != "" {
		b.WriteString(strings.Trim(p.Namespace, "/"))
		b.WriteByte(':')
	}
	b.WriteString(p.ClassName)
	for i, k := range p.Keys {
		if i == 0 {
			b.WriteByte('.')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(k.Name)
		b.WriteByte('=')
		writeKeyValue(&b, k.Value, false)
	}
	return b.String()
}

func writeKeyValue(b *strings.Builder, v Value, canonical bool) {
	switch x := v.Raw().(type) {
	case nil:
		b.WriteString(`""`)
	case ObjectPath:
		s := x.String()
		if canonical {
			s = x.Canonical()
		}
		quoteKey(b, s)
	case string:
		quoteKey(b, x)
	case Char16, Datetime:
		quoteKey(b, v.Text())
	case bool:
		b.WriteString(v.Text())
	default:
		if canonical && v.Type().IsInteger() {
			if n, ok := v.AsInt64(); ok {
				b.WriteString(strconv.FormatInt(n, 10))
				return
			}
		}
		b.WriteString(v.Text())
	}
}

func quoteKey(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// Canonical returns a form of p for comparison and map keys: no host,
// namespace and class lower-cased, keys sorted by lower-cased name, integers
// in decimal whatever their width, references canonical in turn.
func (p ObjectPath) Canonical() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(strings.Trim(p.Namespace, "/")))
	b.WriteByte(':')
	b.WriteString(strings.ToLower(p.ClassName))
	keys := slices.Clone(p.Keys)
	slices.SortFunc(keys, func(a, c KeyBinding) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(c.Name))
	})
	for i, k := range keys {
		if i == 0 {
			b.WriteByte('.')
		} else {
			b.WriteByte(',')
		}
		b.WriteString(strings.ToLower(k.Name))
		b.WriteByte('=')
		writeKeyValue(&b, k.Value, true)
	}
	return b.String()
}

// Equal reports whether p and q name the same object: equal canonical forms,
// and equal hosts (case-insensitive) where both name one.
func (p ObjectPath) Equal(q ObjectPath) bool {
	if p.Host != "" && q.Host != "" && !strings.EqualFold(p.Host, q.Host) {
		return false
	}
	return p.Canonical() == q.Canonical()
}

// ParseObjectPath parses an untyped WBEM URI (DSP0207) or the equivalent
// object path forms real clients send:
//
//	http://user@host:5988/root/virt:CIM_X.Name="a"
//	//host/root/virt:CIM_X.Name="a",Id=3
//	/root/virt:CIM_X.Name="a"
//	root/virt:CIM_X.Name="a"
//	CIM_X.Name="a"    CIM_X    CIM_X=@ (singleton)
//
// Quoted values are strings, or references when they hold a path with a
// namespace and keys; unquoted values are TRUE/FALSE, integers or reals. The
// dispatcher later converts key values to the types the class declares.
func ParseObjectPath(s string) (ObjectPath, error) {
	var p ObjectPath
	rest := s
	if i := strings.Index(rest, "://"); i > 0 && isScheme(rest[:i]) {
		rest = "//" + rest[i+3:]
	}
	if strings.HasPrefix(rest, "//") {
		rest = rest[2:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			return p, fmt.Errorf("invalid object path %q: no namespace after the host", s)
		}
		p.Host = rest[:end]
		if at := strings.LastIndexByte(p.Host, '@'); at >= 0 {
			p.Host = p.Host[at+1:]
		}
		rest = rest[end:]
	}
	rest = strings.TrimPrefix(rest, "/")
	if i := strings.IndexAny(rest, ":.=\""); i >= 0 && rest[i] == ':' {
		p.Namespace = strings.Trim(rest[:i], "/")
		rest = rest[i+1:]
	}
	class, keys, hasKeys := strings.Cut(rest, ".")
	if !hasKeys {
		class = strings.TrimSuffix(class, "=@")
	}
	if !isIdentifier(class) {
		return p, fmt.Errorf("invalid object path %q: %q is not a class name", s, class)
	}
	p.ClassName = class
	if !hasKeys {
		return p, nil
	}
	var err error
	if p.Keys, err = parseKeyBindings(keys); err != nil {
		return p, fmt.Errorf("invalid object path %q: %w", s, err)
	}
	return p, nil
}

func isScheme(s string) bool {
	for i, c := range s {
		alpha := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alpha && (i == 0 || !(c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return s != ""
}

// isIdentifier reports whether s is a CIM name: a letter or underscore then
// letters, digits and underscores (non-ASCII letters allowed).
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80 {
			continue
		}
		if i > 0 && c >= '0' && c <= '9' {
			continue
		}
		return false
	}
	return true
}

func parseKeyBindings(s string) ([]KeyBinding, error) {
	var keys []KeyBinding
	for s != "" {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("want name=value in %q", s)
		}
		name := s[:eq]
		if !isIdentifier(name) {
			return nil, fmt.Errorf("%q is not a key name", name)
		}
		v, rest, err := parseKeyValue(s[eq+1:])
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", name, err)
		}
		keys = append(keys, KeyBinding{Name: name, Value: v})
		if rest != "" {
			if rest[0] != ',' || len(rest) == 1 {
				return nil, fmt.Errorf("want ',' and another key after key %s", name)
			}
			rest = rest[1:]
		}
		s = rest
	}
	return keys, nil
}

func parseKeyValue(s string) (Value, string, error) {
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			switch c := s[i]; c {
			case '\\':
				if i+1 == len(s) {
					return Value{}, "", fmt.Errorf("unterminated string")
				}
				i++
				b.WriteByte(s[i])
			case '"':
				return quotedKeyValue(b.String()), s[i+1:], nil
			default:
				b.WriteByte(c)
			}
		}
		return Value{}, "", fmt.Errorf("unterminated string")
	}
	end := strings.IndexByte(s, ',')
	if end < 0 {
		end = len(s)
	}
	tok := s[:end]
	switch strings.ToLower(tok) {
	case "true":
		return Bool(true), s[end:], nil
	case "false":
		return Bool(false), s[end:], nil
	}
	if strings.HasPrefix(tok, "-") {
		if v, err := parseInteger(TypeSint64, tok); err == nil {
			return v, s[end:], nil
		}
	} else if v, err := parseInteger(TypeUint64, tok); err == nil {
		return v, s[end:], nil
	}
	if v, err := ParseScalar(TypeReal64, tok); err == nil {
		return v, s[end:], nil
	}
	return Value{}, "", fmt.Errorf("%q is not a quoted string, boolean or number", tok)
}

// quotedKeyValue returns a reference when s is an instance path with a
// namespace, a string otherwise.
func quotedKeyValue(s string) Value {
	if strings.Contains(s, ":") && strings.Contains(s, "=") {
		if p, err := ParseObjectPath(s); err == nil && p.Namespace != "" && len(p.Keys) > 0 {
			return Ref(p)
		}
	}
	return String(s)
}
