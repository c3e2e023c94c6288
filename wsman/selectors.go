package wsman

import (
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A selector is one wsman:Selector: a name and either text or a nested
// endpoint reference (for reference keys).
type selector struct {
	name string
	text string
	epr  *node
}

// parseSelectorSet reads a wsman:SelectorSet.
func parseSelectorSet(set *node) ([]selector, *Fault) {
	var out []selector
	seen := map[string]bool{}
	for _, s := range set.childrenNamed(nsWSMAN, "Selector") {
		name, _ := s.attr("", "Name")
		if name == "" {
			return nil, newFault(faultInvalidSelectors, "InvalidName", "A selector has no Name.")
		}
		if seen[strings.ToLower(name)] {
			return nil, newFault(faultInvalidSelectors, "DuplicateSelectors", "Selector %s is given more than once.", name)
		}
		seen[strings.ToLower(name)] = true
		sel := selector{name: name, text: s.text()}
		if e := s.child(nsWSA, "EndpointReference"); e != nil {
			sel.epr, sel.text = e, ""
		}
		out = append(out, sel)
	}
	return out, nil
}

// namespaceOf returns the __cimnamespace selector's value, or def.
func namespaceOf(sels []selector, def string) string {
	for _, s := range sels {
		if strings.EqualFold(s.name, cimNamespaceSelector) && s.text != "" {
			return strings.Trim(s.text, "/")
		}
	}
	return def
}

// keySelectors returns the selectors other than __cimnamespace.
func keySelectors(sels []selector) []selector {
	var out []selector
	for _, s := range sels {
		if !strings.EqualFold(s.name, cimNamespaceSelector) {
			out = append(out, s)
		}
	}
	return out
}

// instancePath checks sels against the keys of class (DSP0227: the
// selectors are exactly the key properties) and returns the typed instance
// path in ns.
func instancePath(ns string, class *cim.Class, sels []selector) (cim.ObjectPath, *Fault) {
	path := cim.ObjectPath{Namespace: ns, ClassName: class.Name}
	given := keySelectors(sels)
	for _, s := range given {
		if p := class.Property(s.name); p == nil || !p.IsKey() {
			return path, newFault(faultInvalidSelectors, "UnexpectedSelectors", "%s is not a key of %s.", s.name, class.Name)
		}
	}
	for _, kp := range class.Keys() {
		s, ok := findSelector(given, kp.Name)
		if !ok {
			return path, newFault(faultInvalidSelectors, "InsufficientSelectors", "The key %s of %s has no selector.", kp.Name, class.Name)
		}
		v, err := selectorValue(ns, kp, s)
		if err != nil {
			return path, newFault(faultInvalidSelectors, "TypeMismatch", "Selector %s: %v.", kp.Name, err)
		}
		path.Keys = append(path.Keys, cim.KeyBinding{Name: kp.Name, Value: v})
	}
	return path, nil
}

func findSelector(sels []selector, name string) (selector, bool) {
	for _, s := range sels {
		if strings.EqualFold(s.name, name) {
			return s, true
		}
	}
	return selector{}, false
}

// selectorValue converts a selector to the type of key property kp.
func selectorValue(ns string, kp *cim.Property, s selector) (cim.Value, error) {
	if kp.Type == cim.TypeReference {
		if s.epr == nil {
			return cim.Value{}, fmt.Errorf("the key is a reference and needs an endpoint reference, not text")
		}
		p, err := eprToPath(s.epr, ns)
		if err != nil {
			return cim.Value{}, err
		}
		return cim.Ref(p), nil
	}
	if s.epr != nil {
		return cim.Value{}, fmt.Errorf("the key is a %s, not a reference", kp.Type)
	}
	if kp.Type == cim.TypeDateTime {
		d, err := parseDatetimeXML("", s.text)
		return cim.DateTimeValue(d), err
	}
	return cim.ParseScalar(kp.Type, s.text)
}

// eprToPath converts an endpoint reference to an object path. e is a
// wsa:EndpointReference or any element holding its children (a reference
// property, wsmb:Object). Key values stay untyped strings (or references);
// the dispatcher converts them to the key types. The namespace is the
// __cimnamespace selector's, or defNS.
func eprToPath(e *node, defNS string) (cim.ObjectPath, error) {
	if inner := e.child(nsWSA, "EndpointReference"); inner != nil {
		e = inner
	}
	params := e.child(nsWSA, "ReferenceParameters")
	if params == nil {
		params = e.child(nsWSA, "ReferenceProperties")
	}
	if params == nil {
		return cim.ObjectPath{}, fmt.Errorf("the endpoint reference has no wsa:ReferenceParameters")
	}
	uri := params.child(nsWSMAN, "ResourceURI").text()
	class, ok := classFromResourceURI(uri)
	if !ok {
		return cim.ObjectPath{}, fmt.Errorf("the endpoint reference's ResourceURI %q names no CIM class", uri)
	}
	var sels []selector
	if set := params.child(nsWSMAN, "SelectorSet"); set != nil {
		var f *Fault
		if sels, f = parseSelectorSet(set); f != nil {
			return cim.ObjectPath{}, f
		}
	}
	p := cim.ObjectPath{Namespace: namespaceOf(sels, defNS), ClassName: class}
	for _, s := range keySelectors(sels) {
		v := cim.String(s.text)
		if s.epr != nil {
			ref, err := eprToPath(s.epr, p.Namespace)
			if err != nil {
				return cim.ObjectPath{}, fmt.Errorf("selector %s: %w", s.name, err)
			}
			v = cim.Ref(ref)
		}
		p.Keys = append(p.Keys, cim.KeyBinding{Name: s.name, Value: v})
	}
	return p, nil
}

// writeEPRContent writes the wsa:Address and wsa:ReferenceParameters of an
// EPR for path; defNS fills in a path without a namespace.
func writeEPRContent(w xw, path cim.ObjectPath, defNS string) {
	ns := path.Namespace
	if ns == "" {
		ns = defNS
	}
	w.elem("wsa:Address", anonymousAddress)
	w.open("wsa:ReferenceParameters")
	w.elem("wsman:ResourceURI", ResourceURI(path.ClassName))
	w.open("wsman:SelectorSet")
	for _, k := range path.Keys {
		if ref, ok := k.Value.AsRef(); ok {
			w.open("wsman:Selector", "Name", k.Name)
			w.open("wsa:EndpointReference")
			writeEPRContent(w, ref, ns)
			w.close("wsa:EndpointReference")
			w.close("wsman:Selector")
			continue
		}
		w.elem("wsman:Selector", keyText(k.Value), "Name", k.Name)
	}
	w.elem("wsman:Selector", ns, "Name", cimNamespaceSelector)
	w.close("wsman:SelectorSet")
	w.close("wsa:ReferenceParameters")
}

// writeEPR writes a wsa:EndpointReference element for path.
func writeEPR(w xw, path cim.ObjectPath, defNS string) {
	w.open("wsa:EndpointReference")
	writeEPRContent(w, path, defNS)
	w.close("wsa:EndpointReference")
}

// keyText is the selector text of a key value.
func keyText(v cim.Value) string {
	if b, ok := v.AsBool(); ok {
		if b {
			return "true"
		}
		return "false"
	}
	return v.Text()
}
