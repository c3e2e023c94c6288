package cim

import "strings"

// Flavor says how a qualifier propagates (DSP0004 §5.1.2.1).
type Flavor struct {
	Overridable  bool // EnableOverride (true) or DisableOverride (false)
	ToSubclass   bool // ToSubclass (true) or Restricted (false)
	Translatable bool
}

// DefaultFlavor is the flavor of a qualifier declaration that names none:
// EnableOverride, ToSubclass, not Translatable.
var DefaultFlavor = Flavor{Overridable: true, ToSubclass: true}

// A Qualifier is a qualifier applied to a class, property, method or
// parameter. Propagated is true when it came from a superclass.
type Qualifier struct {
	Name       string
	Value      Value
	Flavor     Flavor
	Propagated bool
}

// Qualifiers is a list of qualifiers, looked up case-insensitively.
type Qualifiers []Qualifier

// Get returns the qualifier named name.
func (qs Qualifiers) Get(name string) (Qualifier, bool) {
	for _, q := range qs {
		if strings.EqualFold(q.Name, name) {
			return q, true
		}
	}
	return Qualifier{}, false
}

// Has reports whether the qualifier named name is present.
func (qs Qualifiers) Has(name string) bool {
	_, ok := qs.Get(name)
	return ok
}

// IsTrue reports whether the boolean qualifier named name is present and
// true (a boolean qualifier named without a value is true).
func (qs Qualifiers) IsTrue(name string) bool {
	q, ok := qs.Get(name)
	if !ok {
		return false
	}
	b, isBool := q.Value.AsBool()
	return isBool && b
}

// Str returns the string value of the qualifier named name, or "".
func (qs Qualifiers) Str(name string) string {
	q, _ := qs.Get(name)
	return q.Value.Str()
}

// Strings returns the elements of a string-array qualifier such as ValueMap.
func (qs Qualifiers) Strings(name string) []string {
	q, ok := qs.Get(name)
	if !ok {
		return nil
	}
	if !q.Value.IsArray() {
		if q.Value.IsNull() {
			return nil
		}
		return []string{q.Value.Str()}
	}
	out := make([]string, q.Value.Len())
	for i := range out {
		out[i] = q.Value.Index(i).Str()
	}
	return out
}

// With returns qs with q added, or replacing the qualifier of the same name.
func (qs Qualifiers) With(q Qualifier) Qualifiers {
	for i := range qs {
		if strings.EqualFold(qs[i].Name, q.Name) {
			out := append(Qualifiers(nil), qs...)
			out[i] = q
			return out
		}
	}
	return append(qs[:len(qs):len(qs)], q)
}

// Scope is the set of element kinds a qualifier may be applied to.
type Scope uint16

// The qualifier scopes.
const (
	ScopeClass Scope = 1 << iota
	ScopeAssociation
	ScopeIndication
	ScopeProperty
	ScopeReference
	ScopeMethod
	ScopeParameter
	ScopeAny = ScopeClass | ScopeAssociation | ScopeIndication | ScopeProperty |
		ScopeReference | ScopeMethod | ScopeParameter
)

var scopeNames = []struct {
	s    Scope
	name string
}{
	{ScopeClass, "class"}, {ScopeAssociation, "association"}, {ScopeIndication, "indication"},
	{ScopeProperty, "property"}, {ScopeReference, "reference"}, {ScopeMethod, "method"},
	{ScopeParameter, "parameter"},
}

// ParseScope returns the scope named s ("class", "any", …), case-insensitive.
func ParseScope(s string) (Scope, bool) {
	if strings.EqualFold(s, "any") {
		return ScopeAny, true
	}
	for _, n := range scopeNames {
		if strings.EqualFold(n.name, s) {
			return n.s, true
		}
	}
	return 0, false
}

// Names returns the scope names in s, or just "any" when s is ScopeAny.
func (s Scope) Names() []string {
	if s == ScopeAny {
		return []string{"any"}
	}
	var out []string
	for _, n := range scopeNames {
		if s&n.s != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

// A QualifierDecl declares a qualifier type (DSP0004 §5.1.2).
type QualifierDecl struct {
	Name      string
	Type      Type
	IsArray   bool
	ArraySize int
	Default   Value
	Scope     Scope
	Flavor    Flavor
}
