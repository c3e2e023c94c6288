package client

import (
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// CIM-XML request encoding (DSP0201 2.4). Every function writes to b.

func writeLocalNamespace(b *strings.Builder, ns string) {
	b.WriteString("<LOCALNAMESPACEPATH>")
	for _, part := range strings.Split(strings.Trim(ns, "/"), "/") {
		fmt.Fprintf(b, `<NAMESPACE NAME="%s"/>`, esc(part))
	}
	b.WriteString("</LOCALNAMESPACEPATH>")
}

func writeInstanceName(b *strings.Builder, p cim.ObjectPath) {
	fmt.Fprintf(b, `<INSTANCENAME CLASSNAME="%s">`, esc(p.ClassName))
	for _, k := range p.Keys {
		fmt.Fprintf(b, `<KEYBINDING NAME="%s">`, esc(k.Name))
		writeKeyValue(b, k.Value)
		b.WriteString("</KEYBINDING>")
	}
	b.WriteString("</INSTANCENAME>")
}

func writeKeyValue(b *strings.Builder, v cim.Value) {
	switch t := v.Type(); {
	case t == cim.TypeReference:
		ref, _ := v.AsRef()
		writeValueReference(b, ref)
		return
	case t == cim.TypeBoolean:
		fmt.Fprintf(b, `<KEYVALUE VALUETYPE="boolean">%s</KEYVALUE>`, esc(v.Text()))
	case t.IsNumeric():
		fmt.Fprintf(b, `<KEYVALUE VALUETYPE="numeric" TYPE="%s">%s</KEYVALUE>`, t, esc(v.Text()))
	default:
		fmt.Fprintf(b, `<KEYVALUE VALUETYPE="string">%s</KEYVALUE>`, esc(v.Text()))
	}
}

// writeValueReference writes a reference: with a namespace as
// LOCALINSTANCEPATH (or INSTANCEPATH with a host), else INSTANCENAME.
func writeValueReference(b *strings.Builder, p cim.ObjectPath) {
	b.WriteString("<VALUE.REFERENCE>")
	switch {
	case p.Namespace == "":
		writeInstanceName(b, p)
	case p.Host != "":
		fmt.Fprintf(b, `<INSTANCEPATH><NAMESPACEPATH><HOST>%s</HOST>`, esc(p.Host))
		writeLocalNamespace(b, p.Namespace)
		b.WriteString("</NAMESPACEPATH>")
		writeInstanceName(b, p)
		b.WriteString("</INSTANCEPATH>")
	default:
		b.WriteString("<LOCALINSTANCEPATH>")
		writeLocalNamespace(b, p.Namespace)
		writeInstanceName(b, p)
		b.WriteString("</LOCALINSTANCEPATH>")
	}
	b.WriteString("</VALUE.REFERENCE>")
}

// writeInstance writes inst as an INSTANCE element.
func writeInstance(b *strings.Builder, inst *cim.Instance) {
	fmt.Fprintf(b, `<INSTANCE CLASSNAME="%s">`, esc(inst.ClassName))
	for _, p := range inst.Properties {
		writeProperty(b, p.Name, p.Value)
	}
	b.WriteString("</INSTANCE>")
}

func writeProperty(b *strings.Builder, name string, v cim.Value) {
	t := v.Type()
	switch {
	case t == cim.TypeReference:
		fmt.Fprintf(b, `<PROPERTY.REFERENCE NAME="%s">`, esc(name))
		if ref, ok := v.AsRef(); ok {
			writeValueReference(b, ref)
		}
		b.WriteString("</PROPERTY.REFERENCE>")
	case v.IsArray():
		fmt.Fprintf(b, `<PROPERTY.ARRAY NAME="%s" TYPE="%s"%s>`, esc(name), xmlType(t), embeddedAttr(t))
		if !v.IsNull() {
			b.WriteString("<VALUE.ARRAY>")
			for _, e := range v.Elems() {
				writeScalar(b, e)
			}
			b.WriteString("</VALUE.ARRAY>")
		}
		b.WriteString("</PROPERTY.ARRAY>")
	default:
		fmt.Fprintf(b, `<PROPERTY NAME="%s" TYPE="%s"%s>`, esc(name), xmlType(t), embeddedAttr(t))
		if !v.IsNull() {
			writeScalar(b, v)
		}
		b.WriteString("</PROPERTY>")
	}
}

func xmlType(t cim.Type) string {
	if t == cim.TypeInstance || t == cim.TypeInvalid {
		return "string"
	}
	return t.String()
}

func embeddedAttr(t cim.Type) string {
	if t == cim.TypeInstance {
		return ` EmbeddedObject="instance"`
	}
	return ""
}

func writeScalar(b *strings.Builder, v cim.Value) {
	if v.IsNull() {
		b.WriteString("<VALUE.NULL/>")
		return
	}
	if inst := v.AsInstance(); inst != nil {
		var inner strings.Builder
		writeInstance(&inner, inst)
		fmt.Fprintf(b, "<VALUE>%s</VALUE>", esc(inner.String()))
		return
	}
	if ref, ok := v.AsRef(); ok {
		writeValueReference(b, ref)
		return
	}
	fmt.Fprintf(b, "<VALUE>%s</VALUE>", esc(v.Text()))
}

// writeParamValue writes an extrinsic method's input parameter.
func writeParamValue(b *strings.Builder, p cim.Param) {
	v := p.Value
	t := v.Type()
	fmt.Fprintf(b, `<PARAMVALUE NAME="%s" PARAMTYPE="%s"%s>`, esc(p.Name), xmlType(t), embeddedAttr(t))
	switch {
	case v.IsNull():
	case v.IsArray():
		if t == cim.TypeReference {
			b.WriteString("<VALUE.REFARRAY>")
		} else {
			b.WriteString("<VALUE.ARRAY>")
		}
		for _, e := range v.Elems() {
			writeScalar(b, e)
		}
		if t == cim.TypeReference {
			b.WriteString("</VALUE.REFARRAY>")
		} else {
			b.WriteString("</VALUE.ARRAY>")
		}
	default:
		writeScalar(b, v)
	}
	b.WriteString("</PARAMVALUE>")
}

// iparam is one intrinsic parameter, already encoded.
type iparam struct{ name, xml string }

func strParam(name, s string) iparam {
	return iparam{name, "<VALUE>" + esc(s) + "</VALUE>"}
}

func boolParam(name string, v bool) iparam {
	if v {
		return iparam{name, "<VALUE>TRUE</VALUE>"}
	}
	return iparam{name, "<VALUE>FALSE</VALUE>"}
}

func classNameParam(name, class string) iparam {
	return iparam{name, `<CLASSNAME NAME="` + esc(class) + `"/>`}
}

func instanceNameParam(name string, p cim.ObjectPath) iparam {
	var b strings.Builder
	writeInstanceName(&b, p)
	return iparam{name, b.String()}
}

func assocParams(f AssocFilter) []iparam {
	var ps []iparam
	if f.AssocClass != "" {
		ps = append(ps, classNameParam("AssocClass", f.AssocClass))
	}
	if f.ResultClass != "" {
		ps = append(ps, classNameParam("ResultClass", f.ResultClass))
	}
	if f.Role != "" {
		ps = append(ps, strParam("Role", f.Role))
	}
	if f.ResultRole != "" {
		ps = append(ps, strParam("ResultRole", f.ResultRole))
	}
	return ps
}
