package schema_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
	"github.com/ferrum-virt/ferrum/mof"
	"github.com/ferrum-virt/ferrum/mof/schema"
)

// sharedDir finds ../shared beside the repository root. Outside CI a
// missing copy skips the test; on CI (CI=true) it fails it.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for ; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if dir == filepath.Dir(dir) {
			t.Fatal("go.mod not found above the test's directory")
		}
	}
	shared := filepath.Join(dir, "..", "shared", "dmtf")
	if _, err := os.Stat(shared); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the DMTF reference schema is missing at %s: %v", shared, err)
		}
		t.Skipf("the DMTF reference schema is not at %s (shared/ beside the repository): %v", shared, err)
	}
	return shared
}

// reference compiles the DMTF CIM Schema 2.49 Final and the experimental
// 2.51 migration classes it lacks into root/cimv2.
func reference(t *testing.T) *repo.Repository {
	t.Helper()
	dmtf := sharedDir(t)
	z, err := mof.OpenZip(filepath.Join(dmtf, "cim_schema_2.49.0Final-MOFs.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	r := repo.New()
	compile := func(l mof.Loader, root string) {
		res, err := mof.ParseAll(l, root)
		if err != nil {
			t.Fatalf("parse %s: %v", root, err)
		}
		c := &mof.Compiler{Target: r, DefaultNamespace: "root/cimv2"}
		if err := c.Compile(res.Decls); err != nil {
			t.Fatalf("compile %s: %v", root, err)
		}
	}
	compile(z, "cim_schema_2.49.0.mof")
	exp := filepath.Join(dmtf, "experimental-2.51")
	for _, name := range []string{"CIM_VirtualSystemMigrationCapabilities.mof", "CIM_VirtualSystemMigrationService.mof"} {
		class := strings.TrimSuffix(name, ".mof")
		if _, err := r.Class("root/cimv2", class); err == nil {
			continue
		}
		compile(mof.DirLoader{Dir: exp}, name)
	}
	return r
}

func ferrum(t *testing.T) *repo.Repository {
	t.Helper()
	r := repo.New()
	for root, ns := range map[string]string{schema.VirtRoot: schema.VirtNamespace, schema.InteropRoot: schema.InteropNamespace} {
		res, err := mof.ParseAll(mof.FSLoader{FS: schema.FS}, root)
		if err != nil {
			t.Fatalf("parse %s: %v", root, err)
		}
		c := &mof.Compiler{Target: r, DefaultNamespace: ns}
		if err := c.Compile(res.Decls); err != nil {
			t.Fatalf("compile %s: %v", root, err)
		}
	}
	return r
}

// TestCIMClassesMatchDMTF compares every CIM_ class of Ferrum's schema with
// its DMTF definition: superclass, class kind, and for every locally
// declared property, method and parameter the name, type, array-ness,
// reference class, key, ValueMap and Values, and the qualifiers that shape
// the interface (Required, EmbeddedInstance, Override, In, Out).
func TestCIMClassesMatchDMTF(t *testing.T) {
	ref, own := reference(t), ferrum(t)
	compared := 0
	for _, ns := range own.Namespaces() {
		classes, _ := own.Classes(ns)
		for _, c := range classes {
			if !strings.HasPrefix(strings.ToUpper(c.Name), "CIM_") {
				continue
			}
			mine, _ := own.LocalClass(ns, c.Name)
			theirs, err := ref.LocalClass("root/cimv2", c.Name)
			if err != nil {
				t.Errorf("%s: %s is not a DMTF class", ns, c.Name)
				continue
			}
			for _, diff := range compareClass(mine, theirs) {
				t.Errorf("%s %s: %s", ns, c.Name, diff)
			}
			compared++
		}
	}
	if compared < 100 {
		t.Fatalf("compared only %d CIM_ classes", compared)
	}
	t.Logf("compared %d CIM_ classes with DMTF 2.49", compared)
}

var classKinds = []string{"Association", "Indication", "Abstract", "Aggregation", "Composition", "Exception"}

var featureQualifiers = []string{"Key", "ValueMap", "Values", "Required", "EmbeddedInstance", "EmbeddedObject", "Override", "In", "Out"}

func compareClass(mine, theirs *cim.Class) []string {
	var diffs []string
	if !strings.EqualFold(mine.SuperClass, theirs.SuperClass) {
		diffs = append(diffs, "superclass "+mine.SuperClass+", DMTF has "+theirs.SuperClass)
	}
	for _, q := range classKinds {
		if mine.Qualifiers.IsTrue(q) != theirs.Qualifiers.IsTrue(q) {
			diffs = append(diffs, "class qualifier "+q+" differs")
		}
	}
	diffs = append(diffs, compareNames("property", propNames(mine), propNames(theirs))...)
	for _, p := range theirs.Properties {
		if mp := mine.Property(p.Name); mp != nil {
			diffs = append(diffs, compareTyped("property "+p.Name, typed{mp.Name, mp.Type, mp.IsArray, mp.ArraySize, mp.RefClass, mp.Qualifiers},
				typed{p.Name, p.Type, p.IsArray, p.ArraySize, p.RefClass, p.Qualifiers})...)
		}
	}
	diffs = append(diffs, compareNames("method", methodNames(mine), methodNames(theirs))...)
	for _, m := range theirs.Methods {
		if mm := mine.Method(m.Name); mm != nil {
			diffs = append(diffs, compareMethod(mm, m)...)
		}
	}
	return diffs
}

func compareMethod(mine, theirs *cim.Method) []string {
	where := "method " + theirs.Name
	var diffs []string
	if mine.ReturnType != theirs.ReturnType {
		diffs = append(diffs, where+": return type "+mine.ReturnType.String()+", DMTF has "+theirs.ReturnType.String())
	}
	for _, q := range []string{"ValueMap", "Values"} {
		if !qualifierEqual(mine.Qualifiers, theirs.Qualifiers, q) {
			diffs = append(diffs, where+": qualifier "+q+" differs")
		}
	}
	var mn, tn []string
	for _, p := range mine.Parameters {
		mn = append(mn, p.Name)
	}
	for _, p := range theirs.Parameters {
		tn = append(tn, p.Name)
		if mp := mine.Parameter(p.Name); mp != nil {
			diffs = append(diffs, compareTyped(where+" parameter "+p.Name, typed{mp.Name, mp.Type, mp.IsArray, mp.ArraySize, mp.RefClass, mp.Qualifiers},
				typed{p.Name, p.Type, p.IsArray, p.ArraySize, p.RefClass, p.Qualifiers})...)
		}
	}
	return append(diffs, compareNames(where+" parameter", mn, tn)...)
}

type typed struct {
	name      string
	t         cim.Type
	array     bool
	arraySize int
	refClass  string
	quals     cim.Qualifiers
}

func compareTyped(where string, mine, theirs typed) []string {
	var diffs []string
	if mine.name != theirs.name {
		diffs = append(diffs, where+": spelled "+mine.name)
	}
	if mine.t != theirs.t || mine.array != theirs.array || mine.arraySize != theirs.arraySize {
		diffs = append(diffs, where+": type differs")
	}
	if !strings.EqualFold(mine.refClass, theirs.refClass) {
		diffs = append(diffs, where+": reference class "+mine.refClass+", DMTF has "+theirs.refClass)
	}
	for _, q := range featureQualifiers {
		if !qualifierEqual(mine.quals, theirs.quals, q) {
			diffs = append(diffs, where+": qualifier "+q+" differs")
		}
	}
	return diffs
}

func qualifierEqual(a, b cim.Qualifiers, name string) bool {
	qa, oka := a.Get(name)
	qb, okb := b.Get(name)
	if !oka || !okb {
		// An absent boolean qualifier equals its false default.
		return oka == okb || !a.IsTrue(name) && !b.IsTrue(name) && (qa.Value.Type() == cim.TypeBoolean || qb.Value.Type() == cim.TypeBoolean)
	}
	return cim.Equal(qa.Value, qb.Value)
}

func compareNames(kind string, mine, theirs []string) []string {
	var diffs []string
	for _, n := range theirs {
		if !slices.ContainsFunc(mine, func(m string) bool { return strings.EqualFold(m, n) }) {
			diffs = append(diffs, kind+" "+n+" is missing")
		}
	}
	for _, n := range mine {
		if !slices.ContainsFunc(theirs, func(m string) bool { return strings.EqualFold(m, n) }) {
			diffs = append(diffs, kind+" "+n+" is not in the DMTF class")
		}
	}
	return diffs
}

func propNames(c *cim.Class) []string {
	var out []string
	for _, p := range c.Properties {
		out = append(out, p.Name)
	}
	return out
}

func methodNames(c *cim.Class) []string {
	var out []string
	for _, m := range c.Methods {
		out = append(out, m.Name)
	}
	return out
}

// TestCompareClassCatchesMismatches proves the comparison fails on each kind
// of difference it promises to catch.
func TestCompareClassCatchesMismatches(t *testing.T) {
	ref := reference(t)
	base, err := ref.LocalClass("root/cimv2", "CIM_ComputerSystem")
	if err != nil {
		t.Fatal(err)
	}
	if d := compareClass(base.Clone(), base); len(d) != 0 {
		t.Fatalf("a class differs from itself: %v", d)
	}
	mutations := map[string]func(c *cim.Class){
		"type":    func(c *cim.Class) { c.Property("NameFormat").Type = cim.TypeUint16 },
		"array":   func(c *cim.Class) { c.Property("Dedicated").IsArray = false },
		"missing": func(c *cim.Class) { c.Properties = c.Properties[1:] },
		"extra": func(c *cim.Class) {
			c.Properties = append(c.Properties, &cim.Property{Name: "Extra", Type: cim.TypeString})
		},
		"superclass": func(c *cim.Class) { c.SuperClass = "CIM_ManagedElement" },
		"key": func(c *cim.Class) {
			p := c.Property("NameFormat")
			p.Qualifiers = p.Qualifiers.With(cim.Qualifier{Name: "Key", Value: cim.Bool(true)})
		},
		"valuemap": func(c *cim.Class) {
			p := c.Property("Dedicated")
			p.Qualifiers = p.Qualifiers.With(cim.Qualifier{Name: "ValueMap", Value: cim.StringArray("0", "1")})
		},
		"method parameter": func(c *cim.Class) {
			m := c.Method("SetPowerState")
			m.Parameters[0].Type = cim.TypeString
		},
	}
	for name, mutate := range mutations {
		t.Run(name, func(t *testing.T) {
			c := base.Clone()
			mutate(c)
			if d := compareClass(c, base); len(d) == 0 {
				t.Fatalf("a %s mismatch went unnoticed", name)
			}
		})
	}
}
