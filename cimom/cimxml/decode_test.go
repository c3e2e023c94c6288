package cimxml

import (
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func elem(t *testing.T, doc string) *element {
	t.Helper()
	e, err := parseXML(strings.NewReader(doc), defaultXMLLimits)
	if err != nil {
		t.Fatalf("%s: %v", doc, err)
	}
	return e
}

func TestDecodeKeyValue(t *testing.T) {
	tests := []struct {
		name, doc string
		want      cim.Value
	}{
		{"VALUETYPE defaults to string", `<KEYVALUE>vm1</KEYVALUE>`, cim.String("vm1")},
		{"string keeps spaces", `<KEYVALUE VALUETYPE="string"> a b </KEYVALUE>`, cim.String(" a b ")},
		{"boolean", `<KEYVALUE VALUETYPE="boolean">true</KEYVALUE>`, cim.Bool(true)},
		{"numeric without TYPE is uint64", `<KEYVALUE VALUETYPE="numeric">42</KEYVALUE>`, cim.Uint64(42)},
		{"negative numeric is sint64", `<KEYVALUE VALUETYPE="numeric">-42</KEYVALUE>`, cim.Sint64(-42)},
		{"fractional numeric is real64", `<KEYVALUE VALUETYPE="numeric">1.5</KEYVALUE>`, cim.Real64(1.5)},
		{"TYPE wins", `<KEYVALUE VALUETYPE="numeric" TYPE="uint8">7</KEYVALUE>`, cim.Uint8(7)},
		{"datetime by TYPE", `<KEYVALUE VALUETYPE="string" TYPE="datetime">20250101000000.000000+000</KEYVALUE>`, cim.DateTimeValue(cim.MustDatetime("20250101000000.000000+000"))},
		{"char16 by TYPE", `<KEYVALUE TYPE="char16">x</KEYVALUE>`, cim.Char('x')},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := decodeKeyValue(elem(t, tc.doc))
			if err != nil || !cim.Equal(v, tc.want) {
				t.Fatalf("got %v (%s), %v; want %v (%s)", v, v.Type(), err, tc.want, tc.want.Type())
			}
		})
	}
	for _, bad := range []string{`<KEYVALUE VALUETYPE="numeric">x</KEYVALUE>`, `<KEYVALUE VALUETYPE="blob">x</KEYVALUE>`,
		`<KEYVALUE TYPE="uint8">300</KEYVALUE>`, `<KEYVALUE TYPE="reference">x</KEYVALUE>`, `<KEYVALUE VALUETYPE="boolean">yes</KEYVALUE>`} {
		if _, err := decodeKeyValue(elem(t, bad)); cim.StatusOf(err) != cim.ErrInvalidParameter {
			t.Errorf("%s: %v, want CIM_ERR_INVALID_PARAMETER", bad, err)
		}
	}
}

func TestDecodeParamValue(t *testing.T) {
	r, err := cimom.NewSchemaRepository()
	if err != nil {
		t.Fatal(err)
	}
	d := &decoder{ns: ns, repo: r}
	ref := cim.NewInstancePath("root/virt", "X", cim.KeyBinding{Name: "K", Value: cim.String("v")})
	refXML := `<VALUE.REFERENCE><LOCALINSTANCEPATH><LOCALNAMESPACEPATH><NAMESPACE NAME="root"/><NAMESPACE NAME="virt"/></LOCALNAMESPACEPATH><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="K"><KEYVALUE>v</KEYVALUE></KEYBINDING></INSTANCENAME></LOCALINSTANCEPATH></VALUE.REFERENCE>`
	vssd := `<INSTANCE CLASSNAME="Ferrum_VirtualSystemSettingData"><PROPERTY NAME="ElementName" TYPE="string"><VALUE>x</VALUE></PROPERTY></INSTANCE>`
	want := cim.Embedded(cim.NewInstance("Ferrum_VirtualSystemSettingData").Set("ElementName", cim.String("x")))
	tests := []struct {
		name, doc string
		want      cim.Value
	}{
		{"boolean", `<PARAMVALUE NAME="p" PARAMTYPE="boolean"><VALUE>FALSE</VALUE></PARAMVALUE>`, cim.Bool(false)},
		{"uint8", `<PARAMVALUE NAME="p" PARAMTYPE="uint8"><VALUE>255</VALUE></PARAMVALUE>`, cim.Uint8(255)},
		{"sint8", `<PARAMVALUE NAME="p" PARAMTYPE="sint8"><VALUE>-128</VALUE></PARAMVALUE>`, cim.Sint8(-128)},
		{"uint16", `<PARAMVALUE NAME="p" PARAMTYPE="uint16"><VALUE>0x10</VALUE></PARAMVALUE>`, cim.Uint16(16)},
		{"sint16", `<PARAMVALUE NAME="p" PARAMTYPE="sint16"><VALUE>-2</VALUE></PARAMVALUE>`, cim.Sint16(-2)},
		{"uint32", `<PARAMVALUE NAME="p" PARAMTYPE="uint32"><VALUE>4096</VALUE></PARAMVALUE>`, cim.Uint32(4096)},
		{"sint32", `<PARAMVALUE NAME="p" PARAMTYPE="sint32"><VALUE>-3</VALUE></PARAMVALUE>`, cim.Sint32(-3)},
		{"uint64", `<PARAMVALUE NAME="p" PARAMTYPE="uint64"><VALUE>18446744073709551615</VALUE></PARAMVALUE>`, cim.Uint64(18446744073709551615)},
		{"sint64", `<PARAMVALUE NAME="p" PARAMTYPE="sint64"><VALUE>-9</VALUE></PARAMVALUE>`, cim.Sint64(-9)},
		{"real32", `<PARAMVALUE NAME="p" PARAMTYPE="real32"><VALUE>1.5</VALUE></PARAMVALUE>`, cim.Real32(1.5)},
		{"real64 INF", `<PARAMVALUE NAME="p" PARAMTYPE="real64"><VALUE>-INF</VALUE></PARAMVALUE>`, cim.Real64(negInf())},
		{"char16", `<PARAMVALUE NAME="p" PARAMTYPE="char16"><VALUE>é</VALUE></PARAMVALUE>`, cim.Char('é')},
		{"string", `<PARAMVALUE NAME="p" PARAMTYPE="string"><VALUE> x </VALUE></PARAMVALUE>`, cim.String(" x ")},
		{"datetime", `<PARAMVALUE NAME="p" PARAMTYPE="datetime"><VALUE>00000000000030.000000:000</VALUE></PARAMVALUE>`, cim.DateTimeValue(cim.MustDatetime("00000000000030.000000:000"))},
		{"untyped text stays a string", `<PARAMVALUE NAME="p"><VALUE>3</VALUE></PARAMVALUE>`, cim.String("3")},
		{"an empty PARAMVALUE is null", `<PARAMVALUE NAME="p" PARAMTYPE="uint16"/>`, cim.Value{}},
		{"an array with nulls", `<PARAMVALUE NAME="p" PARAMTYPE="uint16"><VALUE.ARRAY><VALUE>1</VALUE><VALUE.NULL/></VALUE.ARRAY></PARAMVALUE>`, mustArray(t, cim.TypeUint16, []any{uint16(1), nil})},
		{"a reference", `<PARAMVALUE NAME="p" PARAMTYPE="reference">` + refXML + `</PARAMVALUE>`, cim.Ref(ref)},
		{"a reference array", `<PARAMVALUE NAME="p" PARAMTYPE="reference"><VALUE.REFARRAY>` + refXML + `<VALUE.NULL/></VALUE.REFARRAY></PARAMVALUE>`, mustArray(t, cim.TypeReference, []any{ref, nil})},
		{"an old-style INSTANCENAME is a reference", `<PARAMVALUE NAME="p"><INSTANCENAME CLASSNAME="X"><KEYBINDING NAME="K"><KEYVALUE>v</KEYVALUE></KEYBINDING></INSTANCENAME></PARAMVALUE>`, cim.Ref(cim.ObjectPath{ClassName: "X", Keys: ref.Keys})},
		{"an embedded instance as escaped XML", `<PARAMVALUE NAME="p" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>` + escapeText(vssd) + `</VALUE></PARAMVALUE>`, want},
		{"an embedded object with the old attribute", `<PARAMVALUE NAME="p" PARAMTYPE="string" EMBEDDEDOBJECT="object"><VALUE>` + escapeText(vssd) + `</VALUE></PARAMVALUE>`, want},
		{"an embedded instance as MOF", `<PARAMVALUE NAME="p" PARAMTYPE="string" EmbeddedObject="instance"><VALUE>instance of Ferrum_VirtualSystemSettingData { ElementName = "x"; };</VALUE></PARAMVALUE>`, want},
		{"an embedded instance as INSTANCE", `<PARAMVALUE NAME="p">` + vssd + `</PARAMVALUE>`, want},
		{"an embedded instance as VALUE.NAMEDINSTANCE", `<PARAMVALUE NAME="p"><VALUE.NAMEDINSTANCE><INSTANCENAME CLASSNAME="Ferrum_VirtualSystemSettingData"/>` + vssd + `</VALUE.NAMEDINSTANCE></PARAMVALUE>`, want},
		{"PARAMTYPE object means embedded", `<PARAMVALUE NAME="p" PARAMTYPE="object"><VALUE>` + escapeText(vssd) + `</VALUE></PARAMVALUE>`, want},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := d.paramValue(elem(t, tc.doc))
			if err != nil || !cim.Equal(v, tc.want) {
				t.Fatalf("got %v (%s), %v; want %v (%s)", v, v.Type(), err, tc.want, tc.want.Type())
			}
		})
	}
	errs := []struct {
		name, doc string
		want      cim.Status
	}{
		{"an unknown PARAMTYPE → CIM_ERR_INVALID_PARAMETER", `<PARAMVALUE NAME="p" PARAMTYPE="blob"><VALUE>x</VALUE></PARAMVALUE>`, cim.ErrInvalidParameter},
		{"a value out of range → CIM_ERR_INVALID_PARAMETER", `<PARAMVALUE NAME="p" PARAMTYPE="uint8"><VALUE>256</VALUE></PARAMVALUE>`, cim.ErrInvalidParameter},
		{"a reference as VALUE → CIM_ERR_INVALID_PARAMETER", `<PARAMVALUE NAME="p" PARAMTYPE="reference"><VALUE>x</VALUE></PARAMVALUE>`, cim.ErrInvalidParameter},
		{"an embedded CLASS → CIM_ERR_NOT_SUPPORTED", `<PARAMVALUE NAME="p"><CLASS NAME="X"/></PARAMVALUE>`, cim.ErrNotSupported},
		{"embedded MOF declaring a class → CIM_ERR_INVALID_PARAMETER", `<PARAMVALUE NAME="p" EmbeddedObject="instance"><VALUE>class X { };</VALUE></PARAMVALUE>`, cim.ErrInvalidParameter},
		{"embedded MOF with two instances → CIM_ERR_INVALID_PARAMETER", `<PARAMVALUE NAME="p" EmbeddedObject="instance"><VALUE>instance of Ferrum_VirtualSystemSettingData { }; instance of Ferrum_VirtualSystemSettingData { };</VALUE></PARAMVALUE>`, cim.ErrInvalidParameter},
		{"embedded XML that is not XML → CIM_ERR_INVALID_PARAMETER", `<PARAMVALUE NAME="p" EmbeddedObject="instance"><VALUE>&lt;INSTANCE</VALUE></PARAMVALUE>`, cim.ErrInvalidParameter},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := d.paramValue(elem(t, tc.doc)); cim.StatusOf(err) != tc.want || err == nil {
				t.Fatalf("got %v, want %s", err, tc.want)
			}
		})
	}
}

func negInf() float64 {
	f, _ := parseReal("-INF", 64)
	return f
}

func escapeText(s string) string { return string(appendEscaped(nil, s, false)) }

func TestEmbeddedNestingLimit(t *testing.T) {
	doc := `<INSTANCE CLASSNAME="X"><PROPERTY NAME="P" TYPE="string"><VALUE>x</VALUE></PROPERTY></INSTANCE>`
	for range maxEmbedDepth + 1 {
		doc = `<INSTANCE CLASSNAME="X"><PROPERTY NAME="P" TYPE="string" EmbeddedObject="instance"><VALUE>` + escapeText(doc) + `</VALUE></PROPERTY></INSTANCE>`
	}
	if _, err := (&decoder{}).instance(elem(t, doc)); cim.StatusOf(err) != cim.ErrInvalidParameter {
		t.Fatalf("embedded instances %d deep: %v", maxEmbedDepth+2, err)
	}
}

func TestDecodeClass(t *testing.T) {
	doc := `<CLASS NAME="T" SUPERCLASS="P">
		<QUALIFIER NAME="Description" TYPE="string" TRANSLATABLE="true"><VALUE>d</VALUE></QUALIFIER>
		<QUALIFIER NAME="Inherited" TYPE="string" PROPAGATED="true"><VALUE>i</VALUE></QUALIFIER>
		<PROPERTY NAME="Local" TYPE="uint32"><VALUE>3</VALUE></PROPERTY>
		<PROPERTY NAME="FromParent" TYPE="string" PROPAGATED="true"/>
		<PROPERTY.ARRAY NAME="A" TYPE="string" ARRAYSIZE="4"/>
		<PROPERTY.REFERENCE NAME="R" REFERENCECLASS="CIM_ManagedElement"/>
		<PROPERTY NAME="E" TYPE="string" EmbeddedObject="object"/>
		<METHOD NAME="M" TYPE="uint32"><PARAMETER.REFARRAY NAME="Rs" REFERENCECLASS="X" ARRAYSIZE="2"/><PARAMETER.ARRAY NAME="N" TYPE="uint8"/></METHOD>
	</CLASS>`
	c, err := decodeClass(elem(t, doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Qualifiers) != 1 || len(c.Properties) != 4 || c.Property("FromParent") != nil {
		t.Fatalf("propagated features were kept: %d qualifiers, %d properties", len(c.Qualifiers), len(c.Properties))
	}
	if p := c.Property("A"); !p.IsArray || p.ArraySize != 4 {
		t.Errorf("A: %+v", p)
	}
	if p := c.Property("R"); p.Type != cim.TypeReference || p.RefClass != "CIM_ManagedElement" {
		t.Errorf("R: %+v", p)
	}
	if !c.Property("E").IsEmbeddedObject() {
		t.Error("EmbeddedObject=\"object\" did not become the EmbeddedObject qualifier")
	}
	if d, _ := c.Property("Local").Default.AsUint64(); d != 3 {
		t.Errorf("Local default %v", c.Property("Local").Default)
	}
	m := c.Method("M")
	if m == nil || m.ReturnType != cim.TypeUint32 || len(m.Parameters) != 2 || !m.Parameters[0].IsArray || m.Parameters[0].Type != cim.TypeReference {
		t.Errorf("M: %+v", m)
	}
}
