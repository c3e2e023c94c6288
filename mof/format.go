package mof

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Format writes decls as MOF source. Parsing the output yields the same
// declarations, apart from positions; comments and layout are not kept.
// Include pragmas are written like any other pragma.
func Format(w io.Writer, decls []Decl) error {
	f := &formatter{w: bufio.NewWriter(w)}
	for i, d := range decls {
		if i > 0 {
			f.putc('\n')
		}
		f.decl(d)
	}
	return f.w.Flush()
}

// FormatString returns the MOF source for decls, as Format writes it.
func FormatString(decls []Decl) string {
	var b strings.Builder
	_ = Format(&b, decls) // writing to a strings.Builder cannot fail
	return b.String()
}

type formatter struct {
	w      *bufio.Writer
	indent int
}

func (f *formatter) put(s string) { f.w.WriteString(s) }
func (f *formatter) putc(c byte)  { f.w.WriteByte(c) }

func (f *formatter) line() {
	f.putc('\n')
	for range f.indent {
		f.put("    ")
	}
}

func (f *formatter) decl(d Decl) {
	switch d := d.(type) {
	case *Pragma:
		f.put("#pragma " + d.Name + "(" + QuoteString(d.Value) + ")\n")
	case *QualifierDecl:
		f.qualifierDecl(d)
	case *ClassDecl:
		f.class(d)
	case *InstanceDecl:
		f.qualifiers(d.Qualifiers, true)
		f.instance(d)
		f.put(";\n")
	}
}

func (f *formatter) qualifierDecl(d *QualifierDecl) {
	f.put("Qualifier " + d.Name + " : " + d.Type.Name + arraySuffix(d.Type))
	if d.Default != nil {
		f.put(" = ")
		f.value(d.Default)
	}
	f.put(",\n    Scope(" + strings.Join(d.Scopes, ", ") + ")")
	if len(d.Flavors) > 0 {
		f.put(",\n    Flavor(")
		for i, fl := range d.Flavors {
			if i > 0 {
				f.put(", ")
			}
			f.put(fl.Name)
		}
		f.put(")")
	}
	f.put(";\n")
}

func (f *formatter) class(d *ClassDecl) {
	f.qualifiers(d.Qualifiers, true)
	f.put("class " + d.Name)
	if d.Alias != "" {
		f.put(" as $" + d.Alias)
	}
	if d.SuperClass != "" {
		f.put(" : " + d.SuperClass)
	}
	f.put(" {")
	f.indent++
	for _, feat := range d.Features {
		f.line()
		f.feature(feat)
	}
	f.indent--
	f.line()
	f.put("};\n")
}

func (f *formatter) feature(feat Feature) {
	switch m := feat.(type) {
	case *PropertyDecl:
		f.qualifiers(m.Qualifiers, true)
		f.typedName(m.Type, m.Name, m.Default)
	case *MethodDecl:
		f.qualifiers(m.Qualifiers, true)
		f.put(typeName(m.ReturnType) + " " + m.Name + "(")
		f.indent++
		for i, prm := range m.Parameters {
			if i > 0 {
				f.putc(',')
			}
			f.line()
			f.qualifiers(prm.Qualifiers, false)
			f.typedName(prm.Type, prm.Name, prm.Default)
		}
		f.indent--
		f.put(")")
	}
	f.putc(';')
}

// typedName writes "type name[array] [= default]".
func (f *formatter) typedName(t Type, name string, def Value) {
	f.put(typeName(t) + " " + name + arraySuffix(t))
	if def != nil {
		f.put(" = ")
		f.value(def)
	}
}

func typeName(t Type) string {
	if t.Ref {
		return t.Name + " REF"
	}
	return t.Name
}

func arraySuffix(t Type) string {
	switch {
	case !t.Array:
		return ""
	case t.ArraySize > 0:
		return "[" + strconv.Itoa(t.ArraySize) + "]"
	}
	return "[]"
}

// qualifiers writes a qualifier list, ending it with a line break when
// newline is set and with a space otherwise.
func (f *formatter) qualifiers(qs []*Qualifier, newline bool) {
	if len(qs) == 0 {
		return
	}
	f.putc('[')
	for i, q := range qs {
		if i > 0 {
			f.put(", ")
		}
		f.put(q.Name)
		switch v := q.Value.(type) {
		case nil:
		case *ArrayValue:
			f.value(v)
		default:
			f.putc('(')
			f.value(v)
			f.putc(')')
		}
		for j, fl := range q.Flavors {
			if j == 0 {
				f.put(" :")
			}
			f.put(" " + fl.Name)
		}
	}
	f.putc(']')
	if newline {
		f.line()
	} else {
		f.putc(' ')
	}
}

func (f *formatter) instance(d *InstanceDecl) {
	f.put("instance of " + d.ClassName)
	if d.Alias != "" {
		f.put(" as $" + d.Alias)
	}
	f.put(" {")
	f.indent++
	for _, pv := range d.Properties {
		f.line()
		f.qualifiers(pv.Qualifiers, false)
		f.put(pv.Name + " = ")
		f.value(pv.Value)
		f.putc(';')
	}
	f.indent--
	f.line()
	f.putc('}')
}

func (f *formatter) value(v Value) {
	switch v := v.(type) {
	case *StringValue:
		f.put(QuoteString(v.Value))
	case *IntValue:
		f.put(v.Raw)
	case *RealValue:
		f.put(v.Raw)
	case *CharValue:
		f.put(quoteChar(v.Value))
	case *BoolValue:
		f.put(strings.ToUpper(strconv.FormatBool(v.Value)))
	case *NullValue:
		f.put("NULL")
	case *AliasValue:
		f.put("$" + v.Name)
	case *ArrayValue:
		f.putc('{')
		for i, e := range v.Elements {
			if i > 0 {
				f.put(", ")
			}
			f.value(e)
		}
		f.putc('}')
	case *InstanceDecl:
		f.instance(v)
	}
}

// QuoteString returns s as a MOF string literal, escaping quotes, backslashes
// and control characters.
func QuoteString(s string) string {
	b := make([]byte, 0, len(s)+2)
	b = append(b, '"')
	for _, r := range s {
		b = appendEscaped(b, r, '"')
	}
	return string(append(b, '"'))
}

func quoteChar(r rune) string {
	return string(appendEscaped([]byte{'\''}, r, '\'')) + "'"
}

// appendEscaped appends r to b, escaped as needed inside a literal closed by
// quote.
func appendEscaped(b []byte, r rune, quote byte) []byte {
	switch r {
	case '\b':
		return append(b, `\b`...)
	case '\t':
		return append(b, `\t`...)
	case '\n':
		return append(b, `\n`...)
	case '\f':
		return append(b, `\f`...)
	case '\r':
		return append(b, `\r`...)
	case '\\':
		return append(b, `\\`...)
	case rune(quote):
		return append(b, '\\', quote)
	}
	if r < ' ' || r == 0x7f {
		// Four digits, so that a hex digit after the escape stays apart.
		const hex = "0123456789ABCDEF"
		return append(b, '\\', 'x', '0', '0', hex[r>>4], hex[r&0xF])
	}
	return utf8.AppendRune(b, r)
}
