package mof

import (
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A Target receives what the compiler produces: qualifier declarations and
// classes, per namespace. *repo.Repository implements it.
type Target interface {
	HasNamespace(ns string) bool
	CreateNamespace(ns string) error
	QualifierDecl(ns, name string) (*cim.QualifierDecl, error)
	SetQualifierDecl(ns string, d *cim.QualifierDecl) error
	Class(ns, name string) (*cim.Class, error)
	AddClass(ns string, decl *cim.Class) error
}

// A Compiler turns parsed MOF declarations into CIM objects in a Target.
type Compiler struct {
	Target Target
	// DefaultNamespace is used until a #pragma namespace sets another.
	DefaultNamespace string
	// Instance, if set, receives each compiled instance declaration with its
	// namespace; without it instance declarations are checked and dropped.
	Instance func(ns string, inst *cim.Instance) error

	aliases map[string]aliasTarget
	errs    ErrorList
}

type aliasTarget struct {
	path cim.ObjectPath
	inst *cim.Instance
}

// maxCompileErrors bounds the errors one Compile call collects.
const maxCompileErrors = 100

// Compile compiles decls in order (as ParseAll returns them). It goes on
// after an error where it can, and returns every error as an ErrorList of
// file:line:col messages.
func (c *Compiler) Compile(decls []Decl) error {
	if c.aliases == nil {
		c.aliases = map[string]aliasTarget{}
	}
	c.errs = nil
	for _, d := range decls {
		if len(c.errs) >= maxCompileErrors {
			break
		}
		var err *ParseError
		switch d := d.(type) {
		case *QualifierDecl:
			err = c.qualifierDecl(d)
		case *ClassDecl:
			err = c.classDecl(d)
		case *InstanceDecl:
			err = c.instanceDecl(d)
		}
		if err != nil {
			c.errs = append(c.errs, err)
		}
	}
	return c.errs.Err()
}

func (c *Compiler) namespace(ctx Context, pos Position) (string, *ParseError) {
	ns := ctx.Namespace
	if ns == "" {
		ns = c.DefaultNamespace
	}
	ns = strings.Trim(strings.ReplaceAll(ns, "\\", "/"), "/")
	if ns == "" {
		return "", errorf(pos, "no namespace: set Compiler.DefaultNamespace or use #pragma namespace")
	}
	if !c.Target.HasNamespace(ns) {
		if err := c.Target.CreateNamespace(ns); err != nil {
			return "", errorf(pos, "cannot create namespace %s: %v", ns, err)
		}
	}
	return ns, nil
}

func cimType(t Type) (cim.Type, bool) {
	if t.Ref {
		return cim.TypeReference, true
	}
	return cim.ParseType(t.Name)
}

func (c *Compiler) qualifierDecl(d *QualifierDecl) *ParseError {
	ns, perr := c.namespace(d.Context, d.Position)
	if perr != nil {
		return perr
	}
	t, ok := cimType(d.Type)
	if !ok || t == cim.TypeReference {
		return errorf(d.Type.Pos, "qualifier %s: %s is not a qualifier type", d.Name, d.Type.Name)
	}
	out := &cim.QualifierDecl{Name: d.Name, Type: t, IsArray: d.Type.Array, ArraySize: d.Type.ArraySize, Flavor: cim.DefaultFlavor}
	for _, s := range d.Scopes {
		if sc, ok := cim.ParseScope(s); ok {
			out.Scope |= sc
		}
	}
	out.Flavor = applyFlavors(out.Flavor, d.Flavors)
	if d.Default != nil {
		v, perr := c.convert(ns, d.Default, t, d.Type.Array, "", true)
		if perr != nil {
			return perr
		}
		out.Default = v
	} else if d.Type.Array {
		out.Default = cim.NullArray(t)
	} else {
		out.Default = cim.Null(t)
	}
	if err := c.Target.SetQualifierDecl(ns, out); err != nil {
		return errorf(d.Position, "qualifier %s: %v", d.Name, err)
	}
	return nil
}

func applyFlavors(f cim.Flavor, flavors []Flavor) cim.Flavor {
	for _, fl := range flavors {
		switch fl.Name {
		case "EnableOverride":
			f.Overridable = true
		case "DisableOverride":
			f.Overridable = false
		case "ToSubclass":
			f.ToSubclass = true
		case "Restricted":
			f.ToSubclass = false
		case "Translatable":
			f.Translatable = true
		}
	}
	return f
}

// qualifiers converts a qualifier list, typing each value by its declaration.
func (c *Compiler) qualifiers(ns string, qs []*Qualifier) (cim.Qualifiers, *ParseError) {
	var out cim.Qualifiers
	for _, q := range qs {
		decl, err := c.Target.QualifierDecl(ns, q.Name)
		if err != nil {
			return nil, errorf(q.Position, "qualifier %s is not declared in namespace %s", q.Name, ns)
		}
		var v cim.Value
		switch {
		case q.Value == nil && decl.Type == cim.TypeBoolean && !decl.IsArray:
			v = cim.Bool(true)
		case q.Value == nil:
			v = decl.Default
		default:
			var perr *ParseError
			if v, perr = c.convert(ns, q.Value, decl.Type, decl.IsArray, "", true); perr != nil {
				return nil, errorf(perr.Pos, "qualifier %s: %s", q.Name, perr.Msg)
			}
		}
		if out.Has(q.Name) {
			return nil, errorf(q.Position, "qualifier %s is given twice", q.Name)
		}
		out = append(out, cim.Qualifier{Name: decl.Name, Value: v, Flavor: applyFlavors(decl.Flavor, q.Flavors)})
	}
	return out, nil
}
