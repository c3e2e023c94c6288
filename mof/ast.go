package mof

// A File is the parse of one MOF source file.
type File struct {
	// Name is the file's path as its loader resolved it.
	Name string
	// Decls holds the file's pragmas and declarations in source order.
	Decls    []Decl
	Warnings []Warning
}

// A Decl is a top-level MOF production: *Pragma, *QualifierDecl, *ClassDecl
// or *InstanceDecl.
type Decl interface {
	Pos() Position
	decl()
}

// Context is the pragma state in effect where a declaration appears. Empty
// fields mean no pragma has set them; the compiler supplies its defaults.
type Context struct {
	Namespace      string // from #pragma namespace
	Locale         string // from #pragma locale
	InstanceLocale string // from #pragma instancelocale
}

// apply updates the context for pragma p.
func (c *Context) apply(p *Pragma) {
	switch p.Name {
	case PragmaNamespace:
		c.Namespace = p.Value
	case PragmaLocale:
		c.Locale = p.Value
	case PragmaInstanceLocale:
		c.InstanceLocale = p.Value
	}
}

// Pragma names the parser and loaders act on.
const (
	PragmaInclude        = "include"
	PragmaNamespace      = "namespace"
	PragmaLocale         = "locale"
	PragmaInstanceLocale = "instancelocale"
)

// A Pragma is a compiler directive #pragma Name("Value"). Every pragma is
// kept, including ones this package does not act on (nonlocal, source, ...).
type Pragma struct {
	Position Position
	// Name is lower-cased, as pragma names are case-insensitive.
	Name  string
	Value string
}

// A QualifierDecl declares a qualifier type:
// Qualifier Name : Type [= Default], Scope(...) [, Flavor(...)];
type QualifierDecl struct {
	Context
	Position Position // of the Qualifier keyword
	Name     string
	Type     Type
	Default  Value // nil when no default is given
	// Scopes are lower-case meta-element names: class, association,
	// indication, property, reference, method, parameter, qualifier, any.
	Scopes  []string
	Flavors []Flavor
}

// A ClassDecl declares a class. Whether it is an association or an indication
// is told by its qualifiers, as the 2.x grammar has no keyword for it.
type ClassDecl struct {
	Context
	Position   Position // of the qualifier list, or of the class keyword
	Qualifiers []*Qualifier
	Name       string
	NamePos    Position
	Alias      string // without the $; empty if none
	SuperClass string // empty if none
	SuperPos   Position
	Features   []Feature
}

// A Feature is a class member: *PropertyDecl or *MethodDecl.
type Feature interface {
	Pos() Position
	FeatureName() string
	feature()
}

// A PropertyDecl declares a property or, when Type.Ref is set, a reference.
type PropertyDecl struct {
	Position   Position
	Qualifiers []*Qualifier
	Type       Type
	Name       string
	NamePos    Position
	Default    Value // nil when no initializer is given
}

// IsReference reports whether the property is a reference to a class.
func (p *PropertyDecl) IsReference() bool { return p.Type.Ref }

// A MethodDecl declares a method.
type MethodDecl struct {
	Position   Position
	Qualifiers []*Qualifier
	ReturnType Type
	Name       string
	NamePos    Position
	Parameters []*Parameter
}

// A Parameter is one method parameter.
type Parameter struct {
	Position   Position
	Qualifiers []*Qualifier
	Type       Type
	Name       string
	NamePos    Position
	Default    Value // nil when no default is given
}

// Type is the data type of a property, reference, parameter, method result or
// qualifier. Array brackets written after the element name belong here.
type Type struct {
	Pos Position
	// Name is the lower-case intrinsic type (uint8 ... datetime) or, when Ref
	// is set, the referenced class name as written.
	Name      string
	Ref       bool
	Array     bool // declared with [] or [n]
	ArraySize int  // n of [n]; 0 for a variable-length array
}

// IntrinsicTypes lists the DSP0004 intrinsic data type names.
var IntrinsicTypes = []string{
	"uint8", "sint8", "uint16", "sint16", "uint32", "sint32", "uint64", "sint64",
	"real32", "real64", "char16", "string", "boolean", "datetime",
}

// A Qualifier is one entry of a qualifier list: Name, Name(value) or
// Name{values}, optionally followed by : flavors.
type Qualifier struct {
	Position Position
	Name     string
	Value    Value // nil for a bare Name; an *ArrayValue for Name{...}
	Flavors  []Flavor
}

// A Flavor is a qualifier flavor, spelled canonically (EnableOverride,
// DisableOverride, Restricted, ToSubclass, Translatable, ToInstance).
type Flavor struct {
	Pos  Position
	Name string
}

// Flavors lists the canonical flavor names the parser accepts.
var Flavors = []string{"EnableOverride", "DisableOverride", "Restricted", "ToSubclass", "Translatable", "ToInstance"}

// An InstanceDecl is an instance: instance of Class [as $Alias] { Prop = v; ... }.
// It appears at top level or, embedded, as a value.
type InstanceDecl struct {
	Context
	Position   Position // of the qualifier list, or of the instance keyword
	Qualifiers []*Qualifier
	ClassName  string
	ClassPos   Position
	Alias      string // without the $; empty if none
	Properties []*PropertyValue
}

// A PropertyValue assigns a value to a property of an instance.
type PropertyValue struct {
	Position   Position
	Qualifiers []*Qualifier
	Name       string
	Value      Value
}

func (d *Pragma) Pos() Position        { return d.Position }
func (d *QualifierDecl) Pos() Position { return d.Position }
func (d *ClassDecl) Pos() Position     { return d.Position }
func (d *InstanceDecl) Pos() Position  { return d.Position }
func (*Pragma) decl()                  {}
func (*QualifierDecl) decl()           {}
func (*ClassDecl) decl()               {}
func (*InstanceDecl) decl()            {}

func (f *PropertyDecl) Pos() Position       { return f.Position }
func (f *MethodDecl) Pos() Position         { return f.Position }
func (f *PropertyDecl) FeatureName() string { return f.Name }
func (f *MethodDecl) FeatureName() string   { return f.Name }
func (*PropertyDecl) feature()              {}
func (*MethodDecl) feature()                {}

// setContext records the pragma state c on the declaration d.
func setContext(d Decl, c Context) {
	switch d := d.(type) {
	case *QualifierDecl:
		d.Context = c
	case *ClassDecl:
		d.Context = c
	case *InstanceDecl:
		d.Context = c
	}
}
