package cimxml

import (
	"strconv"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An encoder appends CIM-XML (DSP0201) to a byte slice. It writes compact
// XML with no whitespace between elements. It is not safe for concurrent
// use.
type encoder struct {
	b []byte
	// host is the HOST of INSTANCEPATH and CLASSPATH elements for paths
	// that name none.
	host string
	// classOf returns what the encoder needs of a class: the types of
	// untyped nulls, reference classes and the EmbeddedObject attribute;
	// nil, or a nil result, makes the encoder infer from the values.
	classOf func(ns, class string) *classInfo
	last    classLookup
	// ns is the request's namespace, whose classes type embedded
	// instances.
	ns string
	// classOrigin writes CLASSORIGIN and PROPAGATED attributes.
	classOrigin bool
	// depth counts embedded instances being encoded, which are escaped
	// once per level.
	depth int
}

func (e *encoder) raw(s string) { e.b = append(e.b, s...) }

// open writes <name.
func (e *encoder) open(name string) {
	e.b = append(e.b, '<')
	e.b = append(e.b, name...)
}

// attr writes name="value" with value escaped.
func (e *encoder) attr(name, value string) {
	e.b = append(e.b, ' ')
	e.b = append(e.b, name...)
	e.b = append(e.b, '=', '"')
	e.b = appendEscaped(e.b, value, true)
	e.b = append(e.b, '"')
}

// end closes a start tag: >.
func (e *encoder) end() { e.b = append(e.b, '>') }

// empty closes an empty element: />.
func (e *encoder) empty() { e.b = append(e.b, '/', '>') }

// close writes </name>.
func (e *encoder) close(name string) {
	e.b = append(e.b, '<', '/')
	e.b = append(e.b, name...)
	e.b = append(e.b, '>')
}

// text writes escaped character data.
func (e *encoder) text(s string) { e.b = appendEscaped(e.b, s, false) }

// valueText writes the CIM-XML text of a non-null scalar that is not an
// embedded instance.
func (e *encoder) valueText(v cim.Value) {
	switch v.Type() {
	case cim.TypeReal32, cim.TypeReal64:
		f, _ := v.AsFloat64()
		bits := 64
		if v.Type() == cim.TypeReal32 {
			bits = 32
		}
		e.b = appendReal(e.b, f, bits)
	case cim.TypeBoolean:
		b, _ := v.AsBool()
		if b {
			e.raw("TRUE")
		} else {
			e.raw("FALSE")
		}
	case cim.TypeString:
		e.text(v.Str())
	default:
		if v.Type().IsInteger() {
			if n, ok := v.AsInt64(); ok {
				e.b = strconv.AppendInt(e.b, n, 10)
				return
			}
			n, _ := v.AsUint64()
			e.b = strconv.AppendUint(e.b, n, 10)
			return
		}
		e.text(v.Text())
	}
}

// value writes a VALUE element for a non-null scalar; an embedded instance
// is written as escaped INSTANCE XML.
func (e *encoder) value(v cim.Value) {
	e.raw("<VALUE>")
	if inst := v.AsInstance(); inst != nil {
		e.embedded(inst)
	} else {
		e.valueText(v)
	}
	e.raw("</VALUE>")
}

// embedded writes the INSTANCE XML of inst, escaped as character data.
func (e *encoder) embedded(inst *cim.Instance) {
	inner := encoder{host: e.host, classOf: e.classOf, ns: e.ns, depth: e.depth + 1}
	inner.instance("", inst)
	e.b = appendEscaped(e.b, string(inner.b), false)
}

// anyValue writes a scalar, an array or a reference as VALUE,
// VALUE.ARRAY, VALUE.REFARRAY or VALUE.REFERENCE; nothing for null.
func (e *encoder) anyValue(v cim.Value) {
	switch {
	case v.IsNull():
	case v.IsArray():
		e.valueArray(v)
	case v.Type() == cim.TypeReference:
		p, _ := v.AsRef()
		e.valueReference(p)
	default:
		e.value(v)
	}
}

// valueArray writes VALUE.ARRAY (VALUE.REFARRAY for references), with
// VALUE.NULL for null elements.
func (e *encoder) valueArray(v cim.Value) {
	name := "VALUE.ARRAY"
	if v.Type() == cim.TypeReference {
		name = "VALUE.REFARRAY"
	}
	e.raw("<" + name + ">")
	for i := range v.Len() {
		el := v.Index(i)
		switch {
		case el.IsNull():
			e.raw("<VALUE.NULL/>")
		case el.Type() == cim.TypeReference:
			p, _ := el.AsRef()
			e.valueReference(p)
		default:
			e.value(el)
		}
	}
	e.close(name)
}

// valueReference writes VALUE.REFERENCE with the most complete path form
// p allows: INSTANCEPATH/CLASSPATH with a host, LOCAL… with a namespace,
// INSTANCENAME/CLASSNAME otherwise.
func (e *encoder) valueReference(p cim.ObjectPath) {
	e.raw("<VALUE.REFERENCE>")
	switch {
	case p.Host != "" && p.IsInstance():
		e.instancePath(p)
	case p.Host != "":
		e.classPath(p)
	case p.Namespace != "" && p.IsInstance():
		e.localInstancePath(p)
	case p.Namespace != "":
		e.localClassPath(p)
	case p.IsInstance():
		e.instanceName(p)
	default:
		e.className(p.ClassName)
	}
	e.raw("</VALUE.REFERENCE>")
}

// className writes CLASSNAME.
func (e *encoder) className(name string) {
	e.open("CLASSNAME")
	e.attr("NAME", name)
	e.empty()
}

// localNamespacePath writes LOCALNAMESPACEPATH with one NAMESPACE per
// component of ns.
func (e *encoder) localNamespacePath(ns string) {
	e.raw("<LOCALNAMESPACEPATH>")
	for _, part := range strings.Split(strings.Trim(ns, "/"), "/") {
		e.open("NAMESPACE")
		e.attr("NAME", part)
		e.empty()
	}
	e.raw("</LOCALNAMESPACEPATH>")
}

// namespacePath writes NAMESPACEPATH with host (the encoder's host when
// host is empty).
func (e *encoder) namespacePath(host, ns string) {
	if host == "" {
		host = e.host
	}
	e.raw("<NAMESPACEPATH><HOST>")
	e.text(host)
	e.raw("</HOST>")
	e.localNamespacePath(ns)
	e.raw("</NAMESPACEPATH>")
}

// instancePath writes INSTANCEPATH.
func (e *encoder) instancePath(p cim.ObjectPath) {
	e.raw("<INSTANCEPATH>")
	e.namespacePath(p.Host, p.Namespace)
	e.instanceName(p)
	e.raw("</INSTANCEPATH>")
}

// localInstancePath writes LOCALINSTANCEPATH.
func (e *encoder) localInstancePath(p cim.ObjectPath) {
	e.raw("<LOCALINSTANCEPATH>")
	e.localNamespacePath(p.Namespace)
	e.instanceName(p)
	e.raw("</LOCALINSTANCEPATH>")
}

// classPath writes CLASSPATH.
func (e *encoder) classPath(p cim.ObjectPath) {
	e.raw("<CLASSPATH>")
	e.namespacePath(p.Host, p.Namespace)
	e.className(p.ClassName)
	e.raw("</CLASSPATH>")
}

// localClassPath writes LOCALCLASSPATH.
func (e *encoder) localClassPath(p cim.ObjectPath) {
	e.raw("<LOCALCLASSPATH>")
	e.localNamespacePath(p.Namespace)
	e.className(p.ClassName)
	e.raw("</LOCALCLASSPATH>")
}

// instanceName writes INSTANCENAME with a KEYBINDING per key.
func (e *encoder) instanceName(p cim.ObjectPath) {
	e.open("INSTANCENAME")
	e.attr("CLASSNAME", p.ClassName)
	e.end()
	for _, k := range p.Keys {
		e.open("KEYBINDING")
		e.attr("NAME", k.Name)
		e.end()
		if ref, ok := k.Value.AsRef(); ok {
			e.valueReference(ref)
		} else {
			e.keyValue(k.Value)
		}
		e.raw("</KEYBINDING>")
	}
	e.raw("</INSTANCENAME>")
}

// keyValue writes KEYVALUE with VALUETYPE and TYPE.
func (e *encoder) keyValue(v cim.Value) {
	vt := "string"
	switch {
	case v.Type() == cim.TypeBoolean:
		vt = "boolean"
	case v.Type().IsNumeric():
		vt = "numeric"
	}
	e.open("KEYVALUE")
	e.attr("VALUETYPE", vt)
	if v.Type() != cim.TypeInvalid {
		e.attr("TYPE", v.Type().String())
	}
	e.end()
	if !v.IsNull() {
		e.valueText(v)
	}
	e.raw("</KEYVALUE>")
}

// namedInstance writes VALUE.NAMEDINSTANCE (INSTANCENAME and INSTANCE).
func (e *encoder) namedInstance(p cim.ObjectPath, inst *cim.Instance) {
	e.raw("<VALUE.NAMEDINSTANCE>")
	e.instanceName(p)
	e.instance(p.Namespace, inst)
	e.raw("</VALUE.NAMEDINSTANCE>")
}

// objectWithPath writes VALUE.OBJECTWITHPATH (INSTANCEPATH and INSTANCE).
func (e *encoder) objectWithPath(p cim.ObjectPath, inst *cim.Instance) {
	e.raw("<VALUE.OBJECTWITHPATH>")
	e.instancePath(p)
	e.instance(p.Namespace, inst)
	e.raw("</VALUE.OBJECTWITHPATH>")
}

// instanceWithPath writes VALUE.INSTANCEWITHPATH (INSTANCEPATH and
// INSTANCE).
func (e *encoder) instanceWithPath(p cim.ObjectPath, inst *cim.Instance) {
	e.raw("<VALUE.INSTANCEWITHPATH>")
	e.instancePath(p)
	e.instance(p.Namespace, inst)
	e.raw("</VALUE.INSTANCEWITHPATH>")
}

// objectPath writes OBJECTPATH holding an INSTANCEPATH or CLASSPATH.
func (e *encoder) objectPath(p cim.ObjectPath) {
	e.raw("<OBJECTPATH>")
	if p.IsInstance() {
		e.instancePath(p)
	} else {
		e.classPath(p)
	}
	e.raw("</OBJECTPATH>")
}
