package cimxml

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestEncodeValues(t *testing.T) {
	ref := cim.NewInstancePath("root/virt", "Ferrum_HostSystem", cim.KeyBinding{Name: "Name", Value: cim.String("h1")})
	tests := []struct {
		name string
		v    cim.Value
		want string
	}{
		{"booleans are TRUE and FALSE", cim.Bool(true), "<VALUE>TRUE</VALUE>"},
		{"sint8 keeps its sign", cim.Sint8(-128), "<VALUE>-128</VALUE>"},
		{"uint64 beyond int64", cim.Uint64(math.MaxUint64), "<VALUE>18446744073709551615</VALUE>"},
		{"sint64 minimum", cim.Sint64(math.MinInt64), "<VALUE>-9223372036854775808</VALUE>"},
		{"real64 with a fraction", cim.Real64(0.1), "<VALUE>0.1</VALUE>"},
		{"real64 integral gets a fraction", cim.Real64(3), "<VALUE>3.0</VALUE>"},
		{"real64 large gets a dotted mantissa", cim.Real64(1e21), "<VALUE>1.0E+21</VALUE>"},
		{"real64 tiny", cim.Real64(2.5e-7), "<VALUE>2.5e-07</VALUE>"},
		{"real32 in its shortest form", cim.Real32(0.1), "<VALUE>0.1</VALUE>"},
		{"NaN", cim.Real64(math.NaN()), "<VALUE>NaN</VALUE>"},
		{"+Inf", cim.Real32(float32(math.Inf(1))), "<VALUE>INF</VALUE>"},
		{"-Inf", cim.Real64(math.Inf(-1)), "<VALUE>-INF</VALUE>"},
		{"char16", cim.Char('Ω'), "<VALUE>Ω</VALUE>"},
		{"char16 NUL is not XML", cim.Char(0), "<VALUE>\uFFFD</VALUE>"},
		{"strings escape markup", cim.String(`a<b>&"c'`), `<VALUE>a&lt;b&gt;&amp;"c'</VALUE>`},
		{"strings keep spaces, tabs and newlines", cim.String(" a\tb\nc "), "<VALUE> a\tb\nc </VALUE>"},
		{"carriage returns survive parsing", cim.String("a\r\nb"), "<VALUE>a&#13;\nb</VALUE>"},
		{"control characters become U+FFFD", cim.String("a\x01b\x1bc"), "<VALUE>a\uFFFDb\uFFFDc</VALUE>"},
		{"invalid UTF-8 becomes U+FFFD", cim.String("a\xffb"), "<VALUE>a\uFFFDb</VALUE>"},
		{"U+FFFE is not XML", cim.String("a\uFFFEb"), "<VALUE>a\uFFFDb</VALUE>"},
		{"astral characters pass", cim.String("😀"), "<VALUE>😀</VALUE>"},
		{"datetime timestamp", cim.DateTimeValue(cim.MustDatetime("20250102030405.123456-300")), "<VALUE>20250102030405.123456-300</VALUE>"},
		{"datetime interval", cim.DateTimeValue(cim.MustDatetime("00000001020304.000000:000")), "<VALUE>00000001020304.000000:000</VALUE>"},
		{"null writes nothing", cim.Null(cim.TypeString), ""},
		{"an empty array", cim.StringArray(), "<VALUE.ARRAY></VALUE.ARRAY>"},
		{"null array elements are VALUE.NULL", mustArray(t, cim.TypeUint8, []any{uint8(1), nil, uint8(3)}), "<VALUE.ARRAY><VALUE>1</VALUE><VALUE.NULL/><VALUE>3</VALUE></VALUE.ARRAY>"},
		{"reference arrays are VALUE.REFARRAY", cim.RefArray(ref), `<VALUE.REFARRAY><VALUE.REFERENCE><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME="Ferrum_HostSystem"><KEYBINDING NAME="Name"><KEYVALUE VALUETYPE="string" TYPE="string">h1</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH></VALUE.REFERENCE></VALUE.REFARRAY>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &encoder{host: "h"}
			e.anyValue(tc.v)
			if got := string(e.b); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
			if got := string(e.b); got != "" {
				if err := wellFormed("<X>" + got + "</X>"); err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
			}
		})
	}
}

func mustArray(t *testing.T, typ cim.Type, elems []any) cim.Value {
	t.Helper()
	v, err := cim.NewArray(typ, elems)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func wellFormed(doc string) error {
	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

func TestEncodePaths(t *testing.T) {
	keys := []cim.KeyBinding{
		{Name: "S", Value: cim.String("a\"b")},
		{Name: "N", Value: cim.Uint16(7)},
		{Name: "B", Value: cim.Bool(false)},
		{Name: "D", Value: cim.DateTimeValue(cim.MustDatetime("20250102030405.000000+000"))},
		{Name: "R", Value: cim.Ref(cim.ObjectPath{ClassName: "X", Keys: []cim.KeyBinding{{Name: "K", Value: cim.String("v")}}})},
	}
	kb := `<INSTANCENAME CLASSNAME="C">` +
		`<KEYBINDING NAME="S"><KEYVALUE VALUETYPE="string" TYPE="string">a"b</KEYVALUE></KEYBINDING>` +
		`<KEYBINDING NAME="N"><KEYVALUE VALUETYPE="numeric" TYPE="uint16">7</KEYVALUE></KEYBINDING>` +
		`<KEYBINDING NAME="B"><KEYVALUE VALUETYPE="boolean" TYPE="boolean">FALSE</KEYVALUE></KEYBINDING>` +
		`<KEYBINDING NAME="D"><KEYVALUE VALUETYPE="string" TYPE="datetime">20250102030405.000000+000</KEYVALUE></KEYBINDING>` +
		`<KEYBINDING NAME="R"><VALUE.REFERENCE><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="K"><KEYVALUE VALUETYPE="string" TYPE="string">v</KEYVALUE></KEYBINDING></INSTANCENAME></VALUE.REFERENCE></KEYBINDING>` +
		`</INSTANCENAME>`
	nsp := `<LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH>`
	tests := []struct {
		name  string
		write func(e *encoder)
		want  string
	}{
		{"KEYVALUE carries VALUETYPE and TYPE; reference keys are VALUE.REFERENCE", func(e *encoder) {
			e.instanceName(cim.ObjectPath{ClassName: "C", Keys: keys})
		}, kb},
		{"a reference with a host is an INSTANCEPATH", func(e *encoder) {
			e.valueReference(cim.ObjectPath{Host: "h2", Namespace: "root/virt", ClassName: "C", Keys: keys})
		}, `<VALUE.REFERENCE><INSTANCEPATH><NAMESPACEPATH><HOST>h2</HOST>` + nsp + `</NAMESPACEPATH>` + kb + `</INSTANCEPATH></VALUE.REFERENCE>`},
		{"a class reference with a namespace is a LOCALCLASSPATH", func(e *encoder) {
			e.valueReference(cim.ObjectPath{Namespace: "root/virt", ClassName: "C"})
		}, `<VALUE.REFERENCE><LOCALCLASSPATH>` + nsp + `<CLASSNAME NAME="C"/></LOCALCLASSPATH></VALUE.REFERENCE>`},
		{"a class reference with a host is a CLASSPATH", func(e *encoder) {
			e.valueReference(cim.ObjectPath{Host: "h2", Namespace: "root/virt", ClassName: "C"})
		}, `<VALUE.REFERENCE><CLASSPATH><NAMESPACEPATH><HOST>h2</HOST>` + nsp + `</NAMESPACEPATH><CLASSNAME NAME="C"/></CLASSPATH></VALUE.REFERENCE>`},
		{"a bare class reference is a CLASSNAME", func(e *encoder) {
			e.valueReference(cim.ObjectPath{ClassName: "C"})
		}, `<VALUE.REFERENCE><CLASSNAME NAME="C"/></VALUE.REFERENCE>`},
		{"OBJECTPATH of an instance without a host takes the server's", func(e *encoder) {
			e.objectPath(cim.ObjectPath{Namespace: "root/virt", ClassName: "C", Keys: keys[1:2]})
		}, `<OBJECTPATH><INSTANCEPATH><NAMESPACEPATH><HOST>ferrum.test</HOST>` + nsp + `</NAMESPACEPATH><INSTANCENAME CLASSNAME="C"><KEYBINDING NAME="N"><KEYVALUE VALUETYPE="numeric" TYPE="uint16">7</KEYVALUE></KEYBINDING></INSTANCENAME></INSTANCEPATH></OBJECTPATH>`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &encoder{host: "ferrum.test"}
			tc.write(e)
			if got := string(e.b); got != tc.want {
				t.Fatalf("got  %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestEncodeEmbeddedInstances(t *testing.T) {
	inner := cim.NewInstance("Inner").Set("S", cim.String(`<&>`))
	outer := cim.NewInstance("Outer").Set("E", cim.Embedded(cim.NewInstance("Middle").Set("I", cim.Embedded(inner))))
	e := &encoder{}
	e.instance("", outer)
	got := string(e.b)
	want := `<INSTANCE CLASSNAME="Outer"><PROPERTY NAME="E" TYPE="string" EmbeddedObject="instance"><VALUE>` +
		`&lt;INSTANCE CLASSNAME="Middle"&gt;&lt;PROPERTY NAME="I" TYPE="string" EmbeddedObject="instance"&gt;&lt;VALUE&gt;` +
		`&amp;lt;INSTANCE CLASSNAME="Inner"&amp;gt;&amp;lt;PROPERTY NAME="S" TYPE="string"&amp;gt;&amp;lt;VALUE&amp;gt;&amp;amp;lt;&amp;amp;amp;&amp;amp;gt;&amp;lt;/VALUE&amp;gt;&amp;lt;/PROPERTY&amp;gt;&amp;lt;/INSTANCE&amp;gt;` +
		`&lt;/VALUE&gt;&lt;/PROPERTY&gt;&lt;/INSTANCE&gt;</VALUE></PROPERTY></INSTANCE>`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	// and it decodes back to the same instance
	root, err := parseXML(strings.NewReader(got), defaultXMLLimits)
	if err != nil {
		t.Fatal(err)
	}
	back, err := (&decoder{}).instance(root)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(outer) {
		t.Fatalf("round trip changed the instance: %+v", back)
	}
}

// TestRoundTrip encodes an instance with a property of every type and
// decodes it again.
func TestRoundTrip(t *testing.T) {
	dt := cim.MustDatetime("20250102030405.123456+060")
	inst := cim.NewInstance("T").
		Set("b", cim.Bool(true)).Set("u8", cim.Uint8(255)).Set("s8", cim.Sint8(-1)).
		Set("u16", cim.Uint16(65535)).Set("s16", cim.Sint16(-2)).Set("u32", cim.Uint32(1<<31)).
		Set("s32", cim.Sint32(-3)).Set("u64", cim.Uint64(1<<63)).Set("s64", cim.Sint64(-4)).
		Set("r32", cim.Real32(1.25)).Set("r64", cim.Real64(-6.02214076e23)).Set("c", cim.Char('x')).
		Set("s", cim.String(" spaced\r\n<&> ")).Set("dt", cim.DateTimeValue(dt)).
		Set("ref", cim.Ref(cim.NewInstancePath("root/virt", "X", cim.KeyBinding{Name: "K", Value: cim.String("v")}))).
		Set("null", cim.Null(cim.TypeUint32)).Set("nulls", cim.NullArray(cim.TypeString)).
		Set("arr", mustArray(t, cim.TypeSint16, []any{int16(-1), nil, int16(2)})).
		Set("empty", cim.Uint16Array()).
		Set("emb", cim.Embedded(cim.NewInstance("E").Set("x", cim.Uint8(1))))
	e := &encoder{host: "h"}
	e.instance("", inst)
	root, err := parseXML(bytes.NewReader(e.b), defaultXMLLimits)
	if err != nil {
		t.Fatal(err)
	}
	back, err := (&decoder{}).instance(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, pv := range inst.Properties {
		got, ok := back.Get(pv.Name)
		if !ok || !cim.Equal(got, pv.Value) {
			t.Errorf("%s: sent %v (%s), got %v (%s)", pv.Name, pv.Value, pv.Value.Type(), got, got.Type())
		}
	}
}

func TestEncodeQualifierDecl(t *testing.T) {
	e := &encoder{}
	e.qualifierDecl(&cim.QualifierDecl{Name: "Q", Type: cim.TypeString, IsArray: true, ArraySize: 2,
		Default: cim.StringArray("a"), Scope: cim.ScopeClass | cim.ScopeMethod,
		Flavor: cim.Flavor{Overridable: false, ToSubclass: true, Translatable: true}})
	want := `<QUALIFIER.DECLARATION NAME="Q" TYPE="string" ISARRAY="true" ARRAYSIZE="2" OVERRIDABLE="false" TOSUBCLASS="true" TRANSLATABLE="true">` +
		`<SCOPE CLASS="true" METHOD="true"/><VALUE.ARRAY><VALUE>a</VALUE></VALUE.ARRAY></QUALIFIER.DECLARATION>`
	if got := string(e.b); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	root, _ := parseXML(bytes.NewReader(e.b), defaultXMLLimits)
	d, err := decodeQualifierDecl(root)
	if err != nil || d.Scope != cim.ScopeClass|cim.ScopeMethod || d.Flavor.Overridable || !d.Flavor.Translatable || d.ArraySize != 2 {
		t.Fatalf("decoded %+v, %v", d, err)
	}
}

func TestHeaderSafe(t *testing.T) {
	if got := headerSafe("50% of\nvms: é"); got != "50%25 of%0Avms: %C3%A9" {
		t.Fatalf("headerSafe = %q", got)
	}
}
