package query

import (
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// vm is the instance the evaluation tests query.
func vm() *cim.Instance {
	setting := cim.NewInstance("Ferrum_VirtualSystemSettingData").
		Set("ElementName", cim.String("web-1")).
		Set("VirtualSystemType", cim.String("DMTF:KVM"))
	return cim.NewInstance("Ferrum_ComputerSystem").
		Set("CreationClassName", cim.String("Ferrum_ComputerSystem")).
		Set("Name", cim.String("vm1")).
		Set("ElementName", cim.String("Web 50% (prod)")).
		Set("EnabledState", cim.Uint16(2)).
		Set("Dedicated", cim.Uint16Array(0, 39)).
		Set("Empty", cim.Uint16Array()).
		Set("Description", cim.Null(cim.TypeString)).
		Set("Critical", cim.Bool(true)).
		Set("Temperature", cim.Real32(36.5)).
		Set("Offset", cim.Sint64(-3)).
		Set("Big", cim.Uint64(1<<63+5)).
		Set("InitialLoadInfo", cim.StringArray("a", "b")).
		Set("Created", cim.DateTimeValue(cim.MustDatetime("20250102030405.000000+060"))).
		Set("Uptime", cim.DateTimeValue(cim.MustDatetime("00000001020000.000000:000"))).
		Set("Host", cim.Ref(cim.NewInstancePath("root/virt", "Ferrum_HostSystem", cim.KeyBinding{Name: "Name", Value: cim.String("h1")}))).
		Set("Setting", cim.Embedded(setting))
}

func isA(class, ancestor string) bool {
	chain := map[string][]string{
		"ferrum_computersystem":           {"cim_computersystem", "cim_system", "cim_managedelement"},
		"ferrum_hostsystem":               {"cim_computersystem", "cim_system", "cim_managedelement"},
		"ferrum_virtualsystemsettingdata": {"cim_virtualsystemsettingdata", "cim_settingdata"},
	}
	for _, a := range chain[strings.ToLower(class)] {
		if strings.EqualFold(a, ancestor) {
			return true
		}
	}
	return false
}

func TestMatches(t *testing.T) {
	tests := []struct {
		name, cond string
		want       bool
	}{
		{"string equality", "Name = 'vm1'", true},
		{"strings compare case-sensitively", "Name = 'VM1'", false},
		{"string ordering", "Name > 'vm0' AND Name < 'vm2'", true},
		{"integer equality across widths", "EnabledState = 2", true},
		{"a numeric string literal converts", "EnabledState = '2'", true},
		{"integer against real", "EnabledState < 2.5", true},
		{"real property", "Temperature >= 36.5 AND Temperature < 37", true},
		{"negative integer", "Offset < 0 AND Offset = -3", true},
		{"uint64 beyond int64", "Big > 9223372036854775807", true},
		{"uint64 against a negative literal", "Big > -1", true},
		{"boolean property bare", "Critical", true},
		{"boolean against TRUE", "Critical = TRUE AND Critical <> FALSE", true},
		{"boolean ordering is unknown", "Critical > FALSE", false},
		{"NOT of unknown stays unknown", "NOT (Critical > FALSE)", false},
		{"unknown OR true is true", "Critical > FALSE OR Name = 'vm1'", true},
		{"unknown AND false is false, NOT makes it true", "NOT (Critical > FALSE AND Name = 'x')", true},
		{"a null property compares unknown", "Description = 'x' OR NOT Description = 'x'", false},
		{"an absent property compares unknown", "Missing = 1 OR Missing <> 1", false},
		{"IS NULL on null", "Description IS NULL", true},
		{"IS NULL on absent", "Missing IS NULL", true},
		{"IS NOT NULL on set", "Name IS NOT NULL", true},
		{"an empty array is not null", "Empty IS NOT NULL", true},
		{"a string against a number is unknown", "Name = 3 OR Name <> 3", false},
		{"LIKE with %", "ElementName LIKE 'Web%'", true},
		{"LIKE with _", "Name LIKE 'vm_'", true},
		{"LIKE must match the whole string", "Name LIKE 'vm'", false},
		{"LIKE with a set", "Name LIKE 'vm[0-9]'", true},
		{"LIKE with a negated set", "Name LIKE 'vm[^0-9]'", false},
		{"LIKE with an escaped %", `ElementName LIKE '%50!% (%' ESCAPE '!'`, true},
		{"LIKE with an escaped % that is absent", `Name LIKE '%!%%' ESCAPE '!'`, false},
		{"NOT LIKE", "Name NOT LIKE 'x%'", true},
		{"array ANY semantics by default", "Dedicated = 39", true},
		{"array ANY with no match", "Dedicated = 5", false},
		{"array with the literal on the left", "39 = Dedicated", true},
		{"ANY keyword", "ANY Dedicated > 30", true},
		{"EVERY fails when one element fails", "EVERY Dedicated > 30", false},
		{"EVERY passes when all pass", "EVERY Dedicated < 40", true},
		{"EVERY of an empty array is true", "EVERY Empty = 1", true},
		{"ANY of an empty array is false", "Empty = 1", false},
		{"array index", "Dedicated[1] = 39 AND Dedicated[0] = 0", true},
		{"array index out of range is null", "Dedicated[5] IS NULL", true},
		{"LIKE over a string array", "InitialLoadInfo LIKE 'b'", true},
		{"datetime against a DSP0004 string, as instants", "Created = '20250102020405.000000+000'", true},
		{"datetime ordering", "Created > '20250102020404.000000+000' AND Created < '20260101000000.000000+000'", true},
		{"interval against an interval string", "Uptime > '00000001000000.000000:000'", true},
		{"datetime against an invalid string is unknown", "Created = 'yesterday' OR Created <> 'yesterday'", false},
		{"timestamp against interval is unknown", "Created > '00000001000000.000000:000'", false},
		{"reference equality with a path string", `Host = 'root/virt:Ferrum_HostSystem.Name="h1"'`, true},
		{"reference ISA", "Host ISA CIM_ComputerSystem", true},
		{"embedded property path", "Setting.ElementName = 'web-1'", true},
		{"embedded instance ISA", "Setting ISA 'CIM_SettingData'", true},
		{"embedded instance ISA another class", "Setting ISA CIM_ComputerSystem", false},
		{"ISA on a string is unknown", "Name ISA CIM_ComputerSystem", false},
		{"__CLASS", "__CLASS = 'Ferrum_ComputerSystem'", true},
		{"property names are case-insensitive", "NAME = 'vm1' AND enabledstate = 2", true},
	}
	inst := vm()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(FQL, tc.cond)
			if err != nil {
				t.Fatal(err)
			}
			got, err := q.Matches(inst, isA)
			if err != nil || got != tc.want {
				t.Fatalf("Matches(%s) = %v, %v; want %v", q, got, err, tc.want)
			}
		})
	}
}

func TestMatchesInstanceISA(t *testing.T) {
	tests := []struct {
		name, text string
		want       bool
	}{
		{"the alias ISA the FROM class's subclass", "SELECT * FROM CIM_ComputerSystem cs WHERE cs ISA Ferrum_ComputerSystem", true},
		{"the class name ISA an ancestor", "SELECT * FROM CIM_ComputerSystem WHERE CIM_ComputerSystem ISA CIM_ManagedElement", true},
		{"the alias ISA an unrelated class", "SELECT * FROM CIM_ComputerSystem cs WHERE cs ISA Ferrum_HostSystem", false},
		{"no WHERE matches everything", "SELECT * FROM CIM_ComputerSystem", true},
		{"a qualified property", "SELECT * FROM CIM_ComputerSystem cs WHERE cs.Name = 'vm1'", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(CQL, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := q.Matches(vm(), isA); err != nil || got != tc.want {
				t.Fatalf("Matches = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	q, _ := Parse(CQL, "SELECT * FROM CIM_ComputerSystem cs WHERE cs ISA Ferrum_ComputerSystem")
	if got, _ := q.Matches(vm(), nil); !got {
		t.Error("with a nil isA, the instance's own class must still match")
	}
	if _, err := q.Matches(nil, isA); err == nil {
		t.Error("Matches(nil) must fail")
	}
}

func TestProject(t *testing.T) {
	q, err := Parse(WQL, "SELECT EnabledState, Name, Nope FROM CIM_ComputerSystem")
	if err != nil {
		t.Fatal(err)
	}
	p := q.Project(vm())
	var names []string
	for _, pv := range p.Properties {
		names = append(names, pv.Name)
	}
	if got := strings.Join(names, ","); got != "EnabledState,Name" || p.ClassName != "Ferrum_ComputerSystem" {
		t.Fatalf("Project kept %s of %s", got, p.ClassName)
	}
	all, _ := Parse(WQL, "SELECT * FROM CIM_ComputerSystem")
	if inst := vm(); all.Project(inst) != inst {
		t.Fatal("SELECT * must return the instance itself")
	}
}

func TestLikeIsLinear(t *testing.T) {
	c, err := compileLike(strings.Repeat("%a", 30)+"b", "")
	if err != nil {
		t.Fatal(err)
	}
	if c.match(strings.Repeat("a", 5000)) {
		t.Fatal("the pattern must not match")
	}
}

func BenchmarkMatches(b *testing.B) {
	q, err := Parse(CQL, "SELECT * FROM CIM_ComputerSystem cs WHERE cs.EnabledState = 2 AND cs.ElementName LIKE 'Web%' AND ANY cs.Dedicated = 39")
	if err != nil {
		b.Fatal(err)
	}
	inst := vm()
	b.ReportAllocs()
	for b.Loop() {
		if ok, _ := q.Matches(inst, isA); !ok {
			b.Fatal("no match")
		}
	}
}
