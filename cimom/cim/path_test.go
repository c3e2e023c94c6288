package cim

import "testing"

func TestParseObjectPath(t *testing.T) {
	tests := []struct {
		name, in  string
		host, ns  string
		class     string
		keys      int
		roundTrip string
	}{
		{"instance with host", `//srv:5988/root/virt:CIM_X.Name="a",Id=3`, "srv:5988", "root/virt", "CIM_X", 2, `//srv:5988/root/virt:CIM_X.Name="a",Id=3`},
		{"scheme and user", `https://admin@srv/root/virt:CIM_X.Name="a"`, "srv", "root/virt", "CIM_X", 1, `//srv/root/virt:CIM_X.Name="a"`},
		{"leading slash", `/root/virt:CIM_X.Name="a"`, "", "root/virt", "CIM_X", 1, `/root/virt:CIM_X.Name="a"`},
		{"no leading slash", `root/virt:CIM_X.Name="a"`, "", "root/virt", "CIM_X", 1, `/root/virt:CIM_X.Name="a"`},
		{"class only", `CIM_X`, "", "", "CIM_X", 0, `CIM_X`},
		{"singleton", `CIM_X=@`, "", "", "CIM_X", 0, `CIM_X`},
		{"escaped quote", `CIM_X.Name="a\"b\\c"`, "", "", "CIM_X", 1, `CIM_X.Name="a\"b\\c"`},
		{"boolean and negative", `CIM_X.A=TRUE,B=-5`, "", "", "CIM_X", 2, `CIM_X.A=TRUE,B=-5`},
		{"value with dots and colons", `root/virt:CIM_X.Name="x.y:z=1"`, "", "root/virt", "CIM_X", 1, `/root/virt:CIM_X.Name="x.y:z=1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseObjectPath(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if p.Host != tc.host || p.Namespace != tc.ns || p.ClassName != tc.class || len(p.Keys) != tc.keys {
				t.Fatalf("got %+v", p)
			}
			if p.String() != tc.roundTrip {
				t.Fatalf("String() = %s, want %s", p.String(), tc.roundTrip)
			}
			again, err := ParseObjectPath(p.String())
			if err != nil || !again.Equal(p) {
				t.Fatalf("reparse %s: %v %+v", p, err, again)
			}
		})
	}
}

func TestParseObjectPathErrors(t *testing.T) {
	for _, s := range []string{``, `//host`, `root/virt:`, `CIM_X.Name`, `CIM_X.Name="a`, `CIM_X.="a"`, `CIM_X.Name=abc`, `CIM_X.Name="a",`, `1CIM.A=1`, `CIM_X.Name="a"B=1`} {
		if p, err := ParseObjectPath(s); err == nil {
			t.Errorf("ParseObjectPath(%q) = %+v, want error", s, p)
		}
	}
}

func TestReferenceKeys(t *testing.T) {
	inner := NewInstancePath("root/virt", "Ferrum_ComputerSystem",
		KeyBinding{"CreationClassName", String("Ferrum_ComputerSystem")}, KeyBinding{"Name", String("vm \"1\"")})
	outer := NewInstancePath("root/virt", "Ferrum_SystemDevice", KeyBinding{"GroupComponent", Ref(inner)})
	p, err := ParseObjectPath(outer.String())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := p.Key("groupcomponent")
	got, ok := v.AsRef()
	if !ok || !got.Equal(inner) {
		t.Fatalf("reference key parsed as %v", v)
	}
}

func TestCanonicalEquality(t *testing.T) {
	a, _ := ParseObjectPath(`//HostA/Root/Virt:cim_x.name="a",ID=3`)
	b := NewInstancePath("root/virt", "CIM_X", KeyBinding{"Id", Uint16(3)}, KeyBinding{"Name", String("a")})
	if !a.Equal(b) {
		t.Fatalf("%s and %s should be equal: %s vs %s", a, b, a.Canonical(), b.Canonical())
	}
	c := b
	c.Keys = []KeyBinding{{"Id", Uint16(3)}, {"Name", String("A")}}
	if a.Equal(c) {
		t.Fatal("string key values are case-sensitive")
	}
	d := a
	d.Host = "hostb"
	if a.Equal(d) {
		t.Fatal("different hosts are different objects")
	}
}
