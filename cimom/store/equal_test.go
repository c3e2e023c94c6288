package store

import (
	"fmt"
	"math"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// The diff helpers compare CIM objects strictly — exact spelling, float
// bits, nil versus empty slices — and describe the first difference, or
// return "" when there is none. cim's own Equal methods are deliberately
// looser (case-insensitive, order-free), which would hide a lossy codec.

func diffNil(at string, aNil, bNil bool) string {
	if aNil != bNil {
		return fmt.Sprintf("%s: nil %v vs %v", at, aNil, bNil)
	}
	return ""
}

func diffStr(at, a, b string) string {
	if a != b {
		return fmt.Sprintf("%s: %q vs %q", at, a, b)
	}
	return ""
}

func diffValue(at string, a, b cim.Value) string {
	switch {
	case a.Type() != b.Type():
		return fmt.Sprintf("%s: type %s vs %s", at, a.Type(), b.Type())
	case a.IsArray() != b.IsArray():
		return fmt.Sprintf("%s: array %v vs %v", at, a.IsArray(), b.IsArray())
	case a.IsNull() != b.IsNull():
		return fmt.Sprintf("%s: null %v vs %v", at, a.IsNull(), b.IsNull())
	case a.IsNull():
		return ""
	case !a.IsArray():
		return diffScalar(at, a.Raw(), b.Raw())
	}
	ae, be := a.Raw().([]any), b.Raw().([]any)
	if len(ae) != len(be) {
		return fmt.Sprintf("%s: %d vs %d elements", at, len(ae), len(be))
	}
	for i := range ae {
		if d := diffScalar(fmt.Sprintf("%s[%d]", at, i), ae[i], be[i]); d != "" {
			return d
		}
	}
	return ""
}

func diffScalar(at string, a, b any) string {
	if a == nil || b == nil {
		return diffNil(at, a == nil, b == nil)
	}
	if fmt.Sprintf("%T", a) != fmt.Sprintf("%T", b) {
		return fmt.Sprintf("%s: Go type %T vs %T", at, a, b)
	}
	switch x := a.(type) {
	case float32:
		if math.Float32bits(x) != math.Float32bits(b.(float32)) {
			return fmt.Sprintf("%s: real32 bits %#x vs %#x", at, math.Float32bits(x), math.Float32bits(b.(float32)))
		}
	case float64:
		if math.Float64bits(x) != math.Float64bits(b.(float64)) {
			return fmt.Sprintf("%s: real64 bits %#x vs %#x", at, math.Float64bits(x), math.Float64bits(b.(float64)))
		}
	case cim.ObjectPath:
		return diffPath(at, x, b.(cim.ObjectPath))
	case *cim.Instance:
		return diffInstance(at, x, b.(*cim.Instance))
	default:
		if a != b {
			return fmt.Sprintf("%s: %#v vs %#v", at, a, b)
		}
	}
	return ""
}

func diffPath(at string, a, b cim.ObjectPath) string {
	for _, d := range []string{
		diffStr(at+".Host", a.Host, b.Host),
		diffStr(at+".Namespace", a.Namespace, b.Namespace),
		diffStr(at+".ClassName", a.ClassName, b.ClassName),
		diffNil(at+".Keys", a.Keys == nil, b.Keys == nil),
	} {
		if d != "" {
			return d
		}
	}
	if len(a.Keys) != len(b.Keys) {
		return fmt.Sprintf("%s: %d vs %d keys", at, len(a.Keys), len(b.Keys))
	}
	for i := range a.Keys {
		k := fmt.Sprintf("%s.Keys[%d]", at, i)
		if d := diffStr(k+".Name", a.Keys[i].Name, b.Keys[i].Name); d != "" {
			return d
		}
		if d := diffValue(k+".Value", a.Keys[i].Value, b.Keys[i].Value); d != "" {
			return d
		}
	}
	return ""
}

func diffQualifiers(at string, a, b cim.Qualifiers) string {
	if d := diffNil(at, a == nil, b == nil); d != "" {
		return d
	}
	if len(a) != len(b) {
		return fmt.Sprintf("%s: %d vs %d qualifiers", at, len(a), len(b))
	}
	for i := range a {
		q := fmt.Sprintf("%s[%d]", at, i)
		if d := diffStr(q+".Name", a[i].Name, b[i].Name); d != "" {
			return d
		}
		if a[i].Flavor != b[i].Flavor || a[i].Propagated != b[i].Propagated {
			return fmt.Sprintf("%s: flavor %+v/%v vs %+v/%v", q, a[i].Flavor, a[i].Propagated, b[i].Flavor, b[i].Propagated)
		}
		if d := diffValue(q+".Value", a[i].Value, b[i].Value); d != "" {
			return d
		}
	}
	return ""
}

func diffInstance(at string, a, b *cim.Instance) string {
	if a == nil || b == nil {
		return diffNil(at, a == nil, b == nil)
	}
	if d := diffStr(at+".ClassName", a.ClassName, b.ClassName); d != "" {
		return d
	}
	if d := diffQualifiers(at+".Qualifiers", a.Qualifiers, b.Qualifiers); d != "" {
		return d
	}
	if d := diffNil(at+".Properties", a.Properties == nil, b.Properties == nil); d != "" {
		return d
	}
	if len(a.Properties) != len(b.Properties) {
		return fmt.Sprintf("%s: %d vs %d properties", at, len(a.Properties), len(b.Properties))
	}
	for i := range a.Properties {
		pa, pb := a.Properties[i], b.Properties[i]
		p := fmt.Sprintf("%s.%s", at, pa.Name)
		for _, d := range []string{
			diffStr(p+".Name", pa.Name, pb.Name),
			diffStr(p+".ClassOrigin", pa.ClassOrigin, pb.ClassOrigin),
			diffQualifiers(p+".Qualifiers", pa.Qualifiers, pb.Qualifiers),
			diffValue(p, pa.Value, pb.Value),
		} {
			if d != "" {
				return d
			}
		}
		if pa.Propagated != pb.Propagated {
			return fmt.Sprintf("%s.Propagated: %v vs %v", p, pa.Propagated, pb.Propagated)
		}
	}
	return ""
}

func diffClass(a, b *cim.Class) string {
	if a == nil || b == nil {
		return diffNil("class", a == nil, b == nil)
	}
	// The exported declarations only: the lookup index is not state.
	if a.Name != b.Name || a.SuperClass != b.SuperClass {
		return fmt.Sprintf("class: %s:%s vs %s:%s", a.Name, a.SuperClass, b.Name, b.SuperClass)
	}
	if d := diffQualifiers("class.Qualifiers", a.Qualifiers, b.Qualifiers); d != "" {
		return d
	}
	if d := diffNil("class.Properties", a.Properties == nil, b.Properties == nil); d != "" {
		return d
	}
	if len(a.Properties) != len(b.Properties) {
		return fmt.Sprintf("class: %d vs %d properties", len(a.Properties), len(b.Properties))
	}
	for i := range a.Properties {
		if d := diffProperty(a.Properties[i], b.Properties[i]); d != "" {
			return d
		}
	}
	if d := diffNil("class.Methods", a.Methods == nil, b.Methods == nil); d != "" {
		return d
	}
	if len(a.Methods) != len(b.Methods) {
		return fmt.Sprintf("class: %d vs %d methods", len(a.Methods), len(b.Methods))
	}
	for i := range a.Methods {
		if d := diffMethod(a.Methods[i], b.Methods[i]); d != "" {
			return d
		}
	}
	return ""
}

func diffProperty(a, b *cim.Property) string {
	at := "property " + a.Name
	if a.Name != b.Name || a.Type != b.Type || a.IsArray != b.IsArray || a.ArraySize != b.ArraySize ||
		a.RefClass != b.RefClass || a.ClassOrigin != b.ClassOrigin || a.Propagated != b.Propagated {
		return fmt.Sprintf("%s: %+v vs %+v", at, *a, *b)
	}
	if d := diffQualifiers(at+".Qualifiers", a.Qualifiers, b.Qualifiers); d != "" {
		return d
	}
	return diffValue(at+".Default", a.Default, b.Default)
}

func diffMethod(a, b *cim.Method) string {
	at := "method " + a.Name
	if a.Name != b.Name || a.ReturnType != b.ReturnType || a.ClassOrigin != b.ClassOrigin || a.Propagated != b.Propagated {
		return fmt.Sprintf("%s: %+v vs %+v", at, *a, *b)
	}
	if d := diffQualifiers(at+".Qualifiers", a.Qualifiers, b.Qualifiers); d != "" {
		return d
	}
	if d := diffNil(at+".Parameters", a.Parameters == nil, b.Parameters == nil); d != "" {
		return d
	}
	if len(a.Parameters) != len(b.Parameters) {
		return fmt.Sprintf("%s: %d vs %d parameters", at, len(a.Parameters), len(b.Parameters))
	}
	for i, pa := range a.Parameters {
		pb := b.Parameters[i]
		if pa.Name != pb.Name || pa.Type != pb.Type || pa.IsArray != pb.IsArray || pa.ArraySize != pb.ArraySize || pa.RefClass != pb.RefClass {
			return fmt.Sprintf("%s parameter %d: %+v vs %+v", at, i, *pa, *pb)
		}
		if d := diffQualifiers(fmt.Sprintf("%s parameter %s", at, pa.Name), pa.Qualifiers, pb.Qualifiers); d != "" {
			return d
		}
	}
	return ""
}

func diffQualifierDecl(a, b *cim.QualifierDecl) string {
	if a.Name != b.Name || a.Type != b.Type || a.IsArray != b.IsArray || a.ArraySize != b.ArraySize ||
		a.Scope != b.Scope || a.Flavor != b.Flavor {
		return fmt.Sprintf("qualifier declaration: %+v vs %+v", *a, *b)
	}
	return diffValue("qualifier declaration default", a.Default, b.Default)
}
