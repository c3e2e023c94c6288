package cimxml

import (
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
)

// maxEmbedDepth bounds how deeply embedded instances may nest in a
// request.
const maxEmbedDepth = 8

// A decoder reads the CIM objects of a request in namespace ns. The
// repository types embedded objects that clients send as strings or MOF.
type decoder struct {
	ns    string
	repo  *repo.Repository
	depth int
}

// class returns the declaration of a class of the decoder's namespace, or
// nil.
func (d *decoder) class(name string) *cim.Class {
	if d.repo == nil {
		return nil
	}
	c, err := d.repo.Class(d.ns, name)
	if err != nil {
		return nil
	}
	return c
}

// instance reads INSTANCE. Properties marked EmbeddedObject (or the old
// EMBEDDEDOBJECT), and string properties the class declares as embedded
// objects, are parsed into embedded instances.
func (d *decoder) instance(e *element) (*cim.Instance, error) {
	class, ok := e.attr("CLASSNAME")
	if e.name != "INSTANCE" || !ok || !isName(class) {
		return nil, invalidf("want INSTANCE with a valid CLASSNAME")
	}
	inst := cim.NewInstance(class)
	decl := d.class(class)
	for _, k := range e.kids {
		if k.name == "QUALIFIER" {
			q, err := decodeQualifier(k)
			if err != nil {
				return nil, err
			}
			inst.Qualifiers = append(inst.Qualifiers, q)
			continue
		}
		name, v, err := d.propertyValue(k)
		if err != nil {
			return nil, invalidf("instance of %s: %w", class, err)
		}
		if decl != nil {
			if p := decl.Property(name); p != nil && p.IsEmbeddedObject() {
				if v, err = d.embedStrings(v); err != nil {
					return nil, invalidf("instance of %s: property %s: %w", class, name, err)
				}
			}
		}
		if _, dup := inst.Get(name); dup {
			return nil, invalidf("instance of %s: property %s is given twice", class, name)
		}
		inst.Properties = append(inst.Properties, cim.PropertyValue{Name: name, Value: v})
	}
	return inst, nil
}

// propertyValue reads the name and value of PROPERTY, PROPERTY.ARRAY or
// PROPERTY.REFERENCE.
func (d *decoder) propertyValue(e *element) (string, cim.Value, error) {
	name, ok := e.attr("NAME")
	if !ok || !isName(name) {
		return "", cim.Value{}, invalidf("%s without a valid NAME", e.name)
	}
	var valueElem *element
	for _, k := range e.kids {
		if k.name != "QUALIFIER" {
			valueElem = k
		}
	}
	switch e.name {
	case "PROPERTY.REFERENCE":
		if valueElem == nil {
			return name, cim.Null(cim.TypeReference), nil
		}
		p, err := decodeValueReference(valueElem)
		if err != nil {
			return "", cim.Value{}, invalidf("property %s: %w", name, err)
		}
		return name, cim.Ref(p), nil
	case "PROPERTY", "PROPERTY.ARRAY":
		t, err := attrType(e)
		if err != nil {
			return "", cim.Value{}, invalidf("property %s: %w", name, err)
		}
		v, err := d.typedValue(valueElem, t, e.name == "PROPERTY.ARRAY", embeddedKind(e) != "")
		if err != nil {
			return "", cim.Value{}, invalidf("property %s: %w", name, err)
		}
		return name, v, nil
	}
	return "", cim.Value{}, invalidf("INSTANCE cannot hold %s", e.name)
}

// embeddedKind returns the EmbeddedObject attribute ("instance" or
// "object"), or the EMBEDDEDOBJECT attribute older clients send.
func embeddedKind(e *element) string {
	if v, ok := e.attr("EmbeddedObject"); ok {
		return v
	}
	return e.attrOr("EMBEDDEDOBJECT", "")
}

// attrType reads the TYPE attribute; a missing one means string.
func attrType(e *element) (cim.Type, error) {
	tn, ok := e.attr("TYPE")
	if !ok {
		return cim.TypeString, nil
	}
	t, known := cim.ParseType(tn)
	if !known {
		return cim.TypeInvalid, invalidf("unknown TYPE %q", tn)
	}
	return t, nil
}

// typedValue reads an optional VALUE or VALUE.ARRAY of type t; null when
// v is nil. Embedded values are parsed into instances.
func (d *decoder) typedValue(v *element, t cim.Type, array, embedded bool) (cim.Value, error) {
	if embedded {
		t = cim.TypeString
	}
	if v == nil {
		if array {
			return cim.NullArray(t), nil
		}
		return cim.Null(t), nil
	}
	if (v.name == "VALUE.ARRAY") != array {
		return cim.Value{}, invalidf("%s does not fit the declared array-ness", v.name)
	}
	val, err := decodeTypedValue(v, t)
	if err != nil || !embedded {
		return val, err
	}
	return d.embedStrings(val)
}

// embedStrings parses a string (or string array) holding embedded objects
// into embedded instances; other values pass unchanged.
func (d *decoder) embedStrings(v cim.Value) (cim.Value, error) {
	if v.Type() != cim.TypeString || v.IsNull() {
		return v, nil
	}
	if !v.IsArray() {
		inst, err := d.embedded(v.Str())
		if err != nil {
			return cim.Value{}, err
		}
		return cim.Embedded(inst), nil
	}
	elems := make([]any, v.Len())
	for i := range elems {
		el := v.Index(i)
		if el.IsNull() {
			continue
		}
		inst, err := d.embedded(el.Str())
		if err != nil {
			return cim.Value{}, invalidf("element %d: %w", i, err)
		}
		elems[i] = inst
	}
	return cim.NewArray(cim.TypeInstance, elems)
}

// embedded parses an embedded instance sent as (unescaped) INSTANCE XML or
// as MOF text ("instance of X { … };").
func (d *decoder) embedded(text string) (*cim.Instance, error) {
	if d.depth >= maxEmbedDepth {
		return nil, invalidf("embedded objects nest more than %d deep", maxEmbedDepth)
	}
	s := strings.TrimSpace(text)
	sub := &decoder{ns: d.ns, repo: d.repo, depth: d.depth + 1}
	if !strings.HasPrefix(s, "<") {
		return sub.mofInstance(s)
	}
	root, err := parseXML(strings.NewReader(s), defaultXMLLimits)
	if err != nil {
		return nil, invalidf("embedded object: %v", err)
	}
	switch root.name {
	case "INSTANCE":
		return sub.instance(root)
	case "CLASS":
		return nil, cim.Errorf(cim.ErrNotSupported, "embedded classes are not supported")
	}
	return nil, invalidf("an embedded object must be an INSTANCE, not %s", root.name)
}

// decodeQualifier reads QUALIFIER.
func decodeQualifier(e *element) (cim.Qualifier, error) {
	name, ok := e.attr("NAME")
	if !ok || !isName(name) {
		return cim.Qualifier{}, invalidf("QUALIFIER without a valid NAME")
	}
	t, err := attrType(e)
	if err != nil {
		return cim.Qualifier{}, invalidf("qualifier %s: %w", name, err)
	}
	q := cim.Qualifier{Name: name, Value: cim.Null(t)}
	if q.Flavor, err = decodeFlavor(e); err != nil {
		return q, invalidf("qualifier %s: %w", name, err)
	}
	if q.Propagated, err = boolAttr(e, "PROPAGATED", false); err != nil {
		return q, invalidf("qualifier %s: %w", name, err)
	}
	if len(e.kids) > 0 {
		if q.Value, err = decodeTypedValue(e.kids[0], t); err != nil {
			return q, invalidf("qualifier %s: %w", name, err)
		}
	}
	return q, nil
}

// decodeFlavor reads the flavor attributes, defaulting as the DTD does.
func decodeFlavor(e *element) (cim.Flavor, error) {
	var f cim.Flavor
	var err error
	if f.Overridable, err = boolAttr(e, "OVERRIDABLE", true); err != nil {
		return f, err
	}
	if f.ToSubclass, err = boolAttr(e, "TOSUBCLASS", true); err != nil {
		return f, err
	}
	f.Translatable, err = boolAttr(e, "TRANSLATABLE", false)
	return f, err
}

// boolAttr reads a true/false attribute.
func boolAttr(e *element, name string, def bool) (bool, error) {
	v, ok := e.attr(name)
	if !ok {
		return def, nil
	}
	switch strings.ToLower(v) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalidf("attribute %s=%q is not true or false", name, v)
}

// decodeQualifierDecl reads QUALIFIER.DECLARATION.
func decodeQualifierDecl(e *element) (*cim.QualifierDecl, error) {
	name, ok := e.attr("NAME")
	if e.name != "QUALIFIER.DECLARATION" || !ok || !isName(name) {
		return nil, invalidf("want QUALIFIER.DECLARATION with a valid NAME")
	}
	t, err := attrType(e)
	if err != nil || t == cim.TypeInstance {
		return nil, invalidf("qualifier %s: invalid TYPE", name)
	}
	d := &cim.QualifierDecl{Name: name, Type: t}
	if d.IsArray, err = boolAttr(e, "ISARRAY", false); err != nil {
		return nil, invalidf("qualifier %s: %w", name, err)
	}
	if s, ok := e.attr("ARRAYSIZE"); ok {
		if d.ArraySize, err = strconv.Atoi(s); err != nil || d.ArraySize < 0 {
			return nil, invalidf("qualifier %s: invalid ARRAYSIZE %q", name, s)
		}
	}
	if d.Flavor, err = decodeFlavor(e); err != nil {
		return nil, invalidf("qualifier %s: %w", name, err)
	}
	d.Default = cim.Null(t)
	if d.IsArray {
		d.Default = cim.NullArray(t)
	}
	for _, k := range e.kids {
		switch k.name {
		case "SCOPE":
			if d.Scope, err = decodeScope(k); err != nil {
				return nil, invalidf("qualifier %s: %w", name, err)
			}
		case "VALUE", "VALUE.ARRAY":
			if (k.name == "VALUE.ARRAY") != d.IsArray {
				return nil, invalidf("qualifier %s: the default does not fit ISARRAY", name)
			}
			if d.Default, err = decodeTypedValue(k, t); err != nil {
				return nil, invalidf("qualifier %s: %w", name, err)
			}
		default:
			return nil, invalidf("QUALIFIER.DECLARATION cannot hold %s", k.name)
		}
	}
	return d, nil
}

func decodeScope(e *element) (cim.Scope, error) {
	var s cim.Scope
	for _, sa := range scopeAttrs {
		on, err := boolAttr(e, sa.attr, false)
		if err != nil {
			return 0, err
		}
		if on {
			s |= sa.scope
		}
	}
	return s, nil
}
