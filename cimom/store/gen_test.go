package store

import (
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// gen makes random CIM objects that reach every corner of the codec: all
// types, float bit patterns, odd strings, wildcarded datetimes, arrays with
// null elements, nil versus empty lists, nested references and instances.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

var strAlphabet = []string{"a", "Z", "_", "0", " ", "\"", "\\", "é", "日本", "\x00", "\xff", "\xc3", "=", ",", ":", "/", "😀"}

func (g *gen) str(max int) string {
	var b strings.Builder
	for range g.r.IntN(max + 1) {
		b.WriteString(strAlphabet[g.r.IntN(len(strAlphabet))])
	}
	return b.String()
}

func (g *gen) name() string {
	names := []string{"Name", "name", "InstanceID", "CreationClassName", "ElementName", "Ferrum_VM", "Caption", "Key", "Ünïcode"}
	if g.chance(0.2) {
		return g.str(8)
	}
	return names[g.r.IntN(len(names))]
}

var specialFloats = []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
	math.Float64frombits(0x7ff0000000000001), math.Float64frombits(0xfff8000000000123),
	math.SmallestNonzeroFloat64, math.MaxFloat64, 1.5}

func (g *gen) float64() float64 {
	if g.chance(0.5) {
		return specialFloats[g.r.IntN(len(specialFloats))]
	}
	return math.Float64frombits(g.r.Uint64())
}

func (g *gen) float32() float32 {
	switch g.r.IntN(4) {
	case 0:
		return math.Float32frombits(0x7f800001) // signalling NaN
	case 1:
		return float32(math.Copysign(0, -1))
	}
	return math.Float32frombits(g.r.Uint32())
}

func (g *gen) datetime() cim.Datetime {
	var s string
	switch g.r.IntN(4) {
	case 0:
		return cim.Datetime{}
	case 1:
		s = cim.NewInterval(time.Duration(g.r.Int64N(1 << 62))).String()
	default:
		zone := time.FixedZone("", (g.r.IntN(1440)-720)*60)
		s = cim.NewTimestamp(time.Unix(g.r.Int64N(250000000000), g.r.Int64N(1e9)).In(zone)).String()
	}
	if g.chance(0.3) { // wildcard the low-order digits
		k := g.r.IntN(21)
		b := []byte(s)
		for i := k; i < 21; i++ {
			if i != 14 {
				b[i] = '*'
			}
		}
		s = string(b)
	}
	return cim.MustDatetime(s)
}

// scalar returns a random Go value of type t.
func (g *gen) scalar(t cim.Type, depth int) any {
	switch t {
	case cim.TypeBoolean:
		return g.chance(0.5)
	case cim.TypeUint8:
		return uint8(g.r.Uint32())
	case cim.TypeSint8:
		return int8(g.r.Uint32())
	case cim.TypeUint16:
		return uint16(g.r.Uint32())
	case cim.TypeSint16:
		return int16(g.r.Uint32())
	case cim.TypeUint32:
		return g.r.Uint32()
	case cim.TypeSint32:
		return int32(g.r.Uint32())
	case cim.TypeUint64:
		return g.r.Uint64() >> g.r.IntN(64)
	case cim.TypeSint64:
		return int64(g.r.Uint64()) >> g.r.IntN(64)
	case cim.TypeReal32:
		return g.float32()
	case cim.TypeReal64:
		return g.float64()
	case cim.TypeChar16:
		return cim.Char16(g.r.Uint32())
	case cim.TypeString:
		return g.str(12)
	case cim.TypeDateTime:
		return g.datetime()
	case cim.TypeReference:
		return g.path(depth + 1)
	}
	return g.instance(depth + 1)
}

// value returns a random value; past depth 3 it avoids references and
// embedded instances so that the objects stay small.
func (g *gen) value(depth int) cim.Value {
	t := cim.Type(g.r.IntN(int(cim.TypeInstance) + 1))
	if depth >= 3 && (t == cim.TypeReference || t == cim.TypeInstance) {
		t = cim.TypeString
	}
	array := g.chance(0.3)
	if t == cim.TypeInvalid || g.chance(0.1) {
		if array {
			if g.chance(0.5) {
				return cim.NullArray(t)
			}
			v, _ := cim.NewArray(t, make([]any, g.r.IntN(3)))
			return v
		}
		return cim.Null(t)
	}
	if !array {
		v, err := cim.New(t, g.scalar(t, depth))
		if err != nil {
			panic(err)
		}
		return v
	}
	elems := make([]any, g.r.IntN(5))
	for i := range elems {
		if !g.chance(0.2) {
			elems[i] = g.scalar(t, depth)
		}
	}
	v, err := cim.NewArray(t, elems)
	if err != nil {
		panic(err)
	}
	return v
}

func (g *gen) path(depth int) cim.ObjectPath {
	p := cim.ObjectPath{ClassName: g.name()}
	if g.chance(0.3) {
		p.Host = "host-" + g.str(3)
	}
	if g.chance(0.7) {
		p.Namespace = []string{"root/virt", "ROOT/Interop", "/root/cimv2/", ""}[g.r.IntN(4)]
	}
	switch n := g.r.IntN(4); {
	case n == 0 && g.chance(0.5):
	case n == 0:
		p.Keys = []cim.KeyBinding{}
	default:
		for range n {
			p.Keys = append(p.Keys, cim.KeyBinding{Name: g.name(), Value: g.value(depth)})
		}
	}
	return p
}

func (g *gen) qualifiers(depth int) cim.Qualifiers {
	if g.chance(0.3) {
		return nil
	}
	qs := cim.Qualifiers{}
	for range g.r.IntN(3) {
		qs = append(qs, cim.Qualifier{
			Name:       g.name(),
			Value:      g.value(depth + 2),
			Flavor:     cim.Flavor{Overridable: g.chance(0.5), ToSubclass: g.chance(0.5), Translatable: g.chance(0.5)},
			Propagated: g.chance(0.5),
		})
	}
	return qs
}

func (g *gen) instance(depth int) *cim.Instance {
	in := &cim.Instance{ClassName: g.name(), Qualifiers: g.qualifiers(depth)}
	if g.chance(0.1) {
		return in
	}
	in.Properties = []cim.PropertyValue{}
	for range g.r.IntN(6) {
		pv := cim.PropertyValue{Name: g.name(), Value: g.value(depth), Propagated: g.chance(0.3)}
		if g.chance(0.4) {
			pv.ClassOrigin = g.name()
		}
		if g.chance(0.3) {
			pv.Qualifiers = g.qualifiers(depth)
		}
		in.Properties = append(in.Properties, pv)
	}
	return in
}

func (g *gen) class() *cim.Class {
	c := &cim.Class{Name: g.name(), SuperClass: g.str(6), Qualifiers: g.qualifiers(1)}
	for range g.r.IntN(5) {
		c.Properties = append(c.Properties, &cim.Property{
			Name: g.name(), Type: cim.Type(g.r.IntN(17)), IsArray: g.chance(0.3), ArraySize: g.r.IntN(5) - 1,
			RefClass: g.str(4), Default: g.value(1), Qualifiers: g.qualifiers(1),
			ClassOrigin: g.name(), Propagated: g.chance(0.5),
		})
	}
	for range g.r.IntN(3) {
		m := &cim.Method{Name: g.name(), ReturnType: cim.Type(g.r.IntN(17)), Qualifiers: g.qualifiers(1),
			ClassOrigin: g.str(4), Propagated: g.chance(0.5)}
		if g.chance(0.7) {
			m.Parameters = []*cim.Parameter{}
		}
		for range g.r.IntN(3) {
			m.Parameters = append(m.Parameters, &cim.Parameter{Name: g.name(), Type: cim.Type(g.r.IntN(17)),
				IsArray: g.chance(0.5), ArraySize: g.r.IntN(3), RefClass: g.str(3), Qualifiers: g.qualifiers(1)})
		}
		c.Methods = append(c.Methods, m)
	}
	return c
}

func (g *gen) qualifierDecl() *cim.QualifierDecl {
	return &cim.QualifierDecl{
		Name: g.name(), Type: cim.Type(g.r.IntN(17)), IsArray: g.chance(0.5), ArraySize: g.r.IntN(4),
		Default: g.value(2), Scope: cim.Scope(g.r.IntN(1 << 16)),
		Flavor: cim.Flavor{Overridable: g.chance(0.5), ToSubclass: g.chance(0.5), Translatable: g.chance(0.5)},
	}
}
