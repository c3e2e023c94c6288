package client

import (
	"fmt"
	"html"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// CIM-XML response decoding (DSP0201 2.4).

func decodeNamespace(n *node) string {
	var parts []string
	for _, k := range n.all("NAMESPACE") {
		parts = append(parts, k.attr("NAME"))
	}
	return strings.Join(parts, "/")
}

// decodePath decodes any of INSTANCEPATH, LOCALINSTANCEPATH, INSTANCENAME,
// CLASSPATH, LOCALCLASSPATH, CLASSNAME and VALUE.REFERENCE; ns is the
// namespace for the local forms.
func decodePath(n *node, ns string) (cim.ObjectPath, error) {
	switch n.XMLName.Local {
	case "VALUE.REFERENCE", "OBJECTPATH":
		if len(n.Kids) == 0 {
			return cim.ObjectPath{}, fmt.Errorf("empty %s", n.XMLName.Local)
		}
		return decodePath(n.Kids[0], ns)
	case "INSTANCEPATH", "CLASSPATH":
		nsp := n.kid("NAMESPACEPATH")
		host := nsp.kid("HOST").text()
		ns := decodeNamespace(nsp.kid("LOCALNAMESPACEPATH"))
		inner := n.kid("INSTANCENAME")
		if inner == nil {
			inner = n.kid("CLASSNAME")
		}
		if inner == nil {
			return cim.ObjectPath{}, fmt.Errorf("%s without a name", n.XMLName.Local)
		}
		p, err := decodePath(inner, ns)
		p.Host = host
		return p, err
	case "LOCALINSTANCEPATH", "LOCALCLASSPATH":
		ns := decodeNamespace(n.kid("LOCALNAMESPACEPATH"))
		inner := n.kid("INSTANCENAME")
		if inner == nil {
			inner = n.kid("CLASSNAME")
		}
		if inner == nil {
			return cim.ObjectPath{}, fmt.Errorf("%s without a name", n.XMLName.Local)
		}
		return decodePath(inner, ns)
	case "CLASSNAME":
		return cim.ObjectPath{Namespace: ns, ClassName: n.attr("NAME")}, nil
	case "INSTANCENAME":
		p := cim.ObjectPath{Namespace: ns, ClassName: n.attr("CLASSNAME")}
		for _, kb := range n.all("KEYBINDING") {
			v, err := decodeKeyValue(kb, ns)
			if err != nil {
				return p, err
			}
			p.Keys = append(p.Keys, cim.KeyBinding{Name: kb.attr("NAME"), Value: v})
		}
		if kv := n.kid("KEYVALUE"); kv != nil && len(p.Keys) == 0 {
			return p, fmt.Errorf("unnamed KEYVALUE in INSTANCENAME %s", p.ClassName)
		}
		return p, nil
	}
	return cim.ObjectPath{}, fmt.Errorf("unexpected %s where a path belongs", n.XMLName.Local)
}

func decodeKeyValue(kb *node, ns string) (cim.Value, error) {
	if ref := kb.kid("VALUE.REFERENCE"); ref != nil {
		p, err := decodePath(ref, ns)
		return cim.Ref(p), err
	}
	kv := kb.kid("KEYVALUE")
	if kv == nil {
		return cim.Value{}, fmt.Errorf("KEYBINDING %s without a value", kb.attr("NAME"))
	}
	if t, ok := cim.ParseType(kv.attr("TYPE")); ok && t != cim.TypeInvalid {
		return cim.ParseScalar(t, kv.Text)
	}
	switch kv.attr("VALUETYPE") {
	case "boolean":
		return cim.ParseScalar(cim.TypeBoolean, kv.Text)
	case "numeric":
		if strings.HasPrefix(strings.TrimSpace(kv.Text), "-") {
			return cim.ParseScalar(cim.TypeSint64, kv.Text)
		}
		return cim.ParseScalar(cim.TypeUint64, kv.Text)
	}
	return cim.String(kv.Text), nil
}

// decodeInstance decodes an INSTANCE element.
func decodeInstance(n *node, ns string) (*cim.Instance, error) {
	if n == nil || n.XMLName.Local != "INSTANCE" {
		return nil, fmt.Errorf("missing INSTANCE")
	}
	inst := cim.NewInstance(n.attr("CLASSNAME"))
	for _, p := range n.Kids {
		var v cim.Value
		var err error
		switch p.XMLName.Local {
		case "PROPERTY", "PROPERTY.ARRAY":
			v, err = decodePropertyValue(p, ns)
		case "PROPERTY.REFERENCE":
			v = cim.Null(cim.TypeReference)
			if r := p.kid("VALUE.REFERENCE"); r != nil {
				var path cim.ObjectPath
				path, err = decodePath(r, ns)
				v = cim.Ref(path)
			}
		default:
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", inst.ClassName, p.attr("NAME"), err)
		}
		inst.Properties = append(inst.Properties, cim.PropertyValue{Name: p.attr("NAME"), Value: v})
	}
	return inst, nil
}

func embedded(n *node) bool {
	e := n.attr("EmbeddedObject")
	if e == "" {
		e = n.attr("EMBEDDEDOBJECT")
	}
	return e != ""
}

// decodePropertyValue decodes a PROPERTY, PROPERTY.ARRAY, PARAMVALUE or
// RETURNVALUE element's value, typed by its TYPE or PARAMTYPE attribute.
func decodePropertyValue(n *node, ns string) (cim.Value, error) {
	tname := n.attr("TYPE")
	if tname == "" {
		tname = n.attr("PARAMTYPE")
	}
	t, ok := cim.ParseType(tname)
	if !ok || t == cim.TypeInvalid {
		t = cim.TypeString
	}
	if embedded(n) {
		t = cim.TypeInstance
	}
	if r := n.kid("VALUE.REFERENCE"); r != nil {
		p, err := decodePath(r, ns)
		return cim.Ref(p), err
	}
	arr := n.kid("VALUE.ARRAY")
	if arr == nil {
		arr = n.kid("VALUE.REFARRAY")
		if arr != nil {
			t = cim.TypeReference
		}
	}
	if arr != nil || n.XMLName.Local == "PROPERTY.ARRAY" {
		return decodeArray(arr, t, ns)
	}
	val := n.kid("VALUE")
	if val == nil {
		return cim.Null(t), nil
	}
	return decodeScalar(val, t, ns)
}

func decodeArray(arr *node, t cim.Type, ns string) (cim.Value, error) {
	if arr == nil {
		return cim.NullArray(t), nil
	}
	elems := []any{}
	for _, e := range arr.Kids {
		if e.XMLName.Local == "VALUE.NULL" {
			elems = append(elems, nil)
			continue
		}
		v, err := decodeScalar(e, t, ns)
		if err != nil {
			return cim.Value{}, err
		}
		elems = append(elems, v.Raw())
	}
	return cim.NewArray(t, elems)
}

func decodeScalar(val *node, t cim.Type, ns string) (cim.Value, error) {
	if val.XMLName.Local == "VALUE.REFERENCE" {
		p, err := decodePath(val, ns)
		return cim.Ref(p), err
	}
	switch t {
	case cim.TypeInstance:
		text := val.Text
		if in := val.kid("INSTANCE"); in != nil {
			inst, err := decodeInstance(in, ns)
			return cim.Embedded(inst), err
		}
		n, err := parseXML([]byte(strings.TrimSpace(text)))
		if err != nil { // some peers escape twice
			n, err = parseXML([]byte(html.UnescapeString(strings.TrimSpace(text))))
		}
		if err != nil {
			return cim.Value{}, fmt.Errorf("embedded instance: %w", err)
		}
		inst, err := decodeInstance(n, ns)
		return cim.Embedded(inst), err
	case cim.TypeString:
		return cim.String(val.Text), nil
	}
	return cim.ParseScalar(t, val.Text)
}

// decodeObjectWithPath decodes VALUE.NAMEDINSTANCE, VALUE.OBJECTWITHPATH,
// VALUE.INSTANCEWITHPATH and VALUE.OBJECTWITHLOCALPATH.
func decodeObjectWithPath(n *node, ns string) (Object, error) {
	var o Object
	var pathNode *node
	for _, k := range n.Kids {
		switch k.XMLName.Local {
		case "INSTANCENAME", "INSTANCEPATH", "LOCALINSTANCEPATH":
			pathNode = k
		case "INSTANCE":
			inst, err := decodeInstance(k, ns)
			if err != nil {
				return o, err
			}
			o.Instance = inst
		}
	}
	if pathNode == nil || o.Instance == nil {
		return o, fmt.Errorf("%s without a path or an instance", n.XMLName.Local)
	}
	p, err := decodePath(pathNode, ns)
	o.Path = p
	return o, err
}
