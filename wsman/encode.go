package wsman

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// An encoder writes CIM instances as DSP0230 XML, properties in the
// declaration order of their class, as the class schema's xs:sequence
// wants.
type encoder struct {
	classOf    func(ns, class string) *cim.Class // nil result: unknown class
	ns         string                            // namespace of paths without one
	excludeNil bool                              // wsmb:ExcludeNilProperties
	order      *propertyOrder
}

func newEncoder(classOf func(ns, class string) *cim.Class, order *propertyOrder, ns string, excludeNil bool) *encoder {
	return &encoder{classOf: classOf, ns: ns, excludeNil: excludeNil, order: order}
}

// propertyOrder caches, per class, the position of each property. Classes
// from the repository are immutable, so the cache is keyed by pointer and
// shared by all requests; it holds at most one entry per class version.
type propertyOrder struct{ m sync.Map } // *cim.Class → map[string]int

func (o *propertyOrder) of(class *cim.Class) map[string]int {
	if pos, ok := o.m.Load(class); ok {
		return pos.(map[string]int)
	}
	pos := make(map[string]int, len(class.Properties))
	for i, p := range class.Properties {
		pos[strings.ToLower(p.Name)] = i
		pos[p.Name] = i // providers usually spell names as the class does
	}
	o.m.Store(class, pos)
	return pos
}

// instance writes inst as <p:Class>…</p:Class>. When declared is true the
// enclosing element already binds prefix p to the class's resource URI;
// otherwise the element declares it. Embedded instances (depth > 0) use
// their own prefix and carry xsi:type, since the property element that
// holds them does not say their class.
func (e *encoder) instance(w xw, inst *cim.Instance, ns string, declared bool, depth int) {
	prefix := "p"
	if depth > 0 {
		prefix = "p" + strconv.Itoa(depth)
	}
	tag := prefix + ":" + inst.ClassName
	switch {
	case depth > 0:
		w.open(tag, "xmlns:"+prefix, ResourceURI(inst.ClassName), "xsi:type", prefix+":"+inst.ClassName+"_Type")
	case declared:
		w.open(tag)
	default:
		w.open(tag, "xmlns:"+prefix, ResourceURI(inst.ClassName))
	}
	for _, pv := range e.ordered(inst, ns) {
		e.property(w, prefix, pv, ns, depth)
	}
	w.close(tag)
}

// ordered returns inst's properties in the declaration order of its class,
// with the class's spelling of their names; properties the class does not
// declare follow in their own order.
func (e *encoder) ordered(inst *cim.Instance, ns string) []cim.PropertyValue {
	class := e.classOf(ns, inst.ClassName)
	if class == nil {
		return inst.Properties
	}
	pos := e.order.of(class)
	type slot struct {
		at int
		pv cim.PropertyValue
	}
	slots := make([]slot, len(inst.Properties))
	sorted := true
	for i, pv := range inst.Properties {
		at, ok := pos[pv.Name]
		if !ok {
			at, ok = pos[strings.ToLower(pv.Name)]
		}
		if ok {
			pv.Name = class.Properties[at].Name
		} else {
			at = len(class.Properties) + i
		}
		slots[i] = slot{at, pv}
		sorted = sorted && (i == 0 || slots[i-1].at < at)
	}
	if !sorted {
		slices.SortStableFunc(slots, func(a, b slot) int { return a.at - b.at })
	}
	out := make([]cim.PropertyValue, len(slots))
	for i, s := range slots {
		out[i] = s.pv
	}
	return out
}

// property writes one property: an element per array element, xsi:nil for
// nulls (unless excluded), nothing for an empty array.
func (e *encoder) property(w xw, prefix string, pv cim.PropertyValue, ns string, depth int) {
	tag := prefix + ":" + pv.Name
	v := pv.Value
	if v.IsNull() {
		if !e.excludeNil {
			w.empty(tag, "xsi:nil", "true")
		}
		return
	}
	if !v.IsArray() {
		e.scalar(w, tag, v, ns, depth)
		return
	}
	for _, el := range v.Elems() {
		if el.IsNull() {
			w.empty(tag, "xsi:nil", "true")
			continue
		}
		e.scalar(w, tag, el, ns, depth)
	}
}

// scalar writes <tag>value</tag> for a non-null scalar.
func (e *encoder) scalar(w xw, tag string, v cim.Value, ns string, depth int) {
	switch v.Type() {
	case cim.TypeReference:
		ref, _ := v.AsRef()
		w.open(tag)
		writeEPRContent(w, ref, ns)
		w.close(tag)
	case cim.TypeInstance:
		w.open(tag)
		e.instance(w, v.AsInstance(), ns, false, depth+1)
		w.close(tag)
	case cim.TypeDateTime:
		d, _ := v.AsDatetime()
		elem, text := datetimeXML(d)
		w.open(tag)
		w.elem("cim:"+elem, text)
		w.close(tag)
	default:
		w.elem(tag, valueText(v))
	}
}

// valueText is the XML Schema lexical form of a scalar that is not a
// reference, an embedded instance or a datetime.
func valueText(v cim.Value) string {
	switch x := v.Raw().(type) {
	case bool:
		if x {
			return "true"
		}
		return "false"
	case float32:
		return floatText(float64(x), 32)
	case float64:
		return floatText(x, 64)
	}
	return v.Text()
}

func floatText(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "INF"
	case math.IsInf(f, -1):
		return "-INF"
	}
	return strconv.FormatFloat(f, 'G', -1, bits)
}
