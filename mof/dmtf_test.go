package mof

import (
	"archive/zip"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

const dmtfRoot = "cim_schema_2.49.0.mof"

func TestParseDMTFSchema249(t *testing.T) {
	zl, err := OpenZip(dmtfZip(t))
	if err != nil {
		t.Fatal(err)
	}
	defer zl.Close()
	res, err := ParseAll(zl, dmtfRoot)
	if err != nil {
		t.Fatalf("parsing the DMTF schema: %s", err.(ErrorList).Detail())
	}
	for _, w := range res.Warnings {
		t.Errorf("warning: %s", w)
	}
	classes, quals := map[string]*ClassDecl{}, map[string]*QualifierDecl{}
	for _, d := range res.Decls {
		switch d := d.(type) {
		case *ClassDecl:
			classes[d.Name] = d
			if d.Locale != "en_US" {
				t.Errorf("%s: locale %q, want en_US from the root file's pragma", d.Name, d.Locale)
			}
		case *QualifierDecl:
			quals[d.Name] = d
		}
	}
	if len(res.Files) != 1634 || len(classes) < 1400 || len(quals) < 60 {
		t.Errorf("%d files, %d classes, %d qualifier declarations; want 1634 files, > 1400 classes, > 60 qualifiers",
			len(res.Files), len(classes), len(quals))
	}
	t.Logf("%d files, %d classes, %d qualifier declarations", len(res.Files), len(classes), len(quals))
	checkDMTFSpots(t, classes, quals)
}

// checkDMTFSpots compares a few well-known declarations with the schema text.
func checkDMTFSpots(t *testing.T, classes map[string]*ClassDecl, quals map[string]*QualifierDecl) {
	t.Helper()
	assoc := quals["Association"]
	if assoc == nil || assoc.Type.Name != "boolean" || !reflect.DeepEqual(assoc.Scopes, []string{"association"}) ||
		len(assoc.Flavors) != 2 || assoc.Flavors[0].Name != "DisableOverride" || assoc.Flavors[1].Name != "ToSubclass" {
		t.Errorf("qualifier Association = %s", dump(assoc))
	}
	if cs := classes["CIM_ComputerSystem"]; cs == nil || cs.SuperClass != "CIM_System" {
		t.Errorf("CIM_ComputerSystem does not derive from CIM_System")
	}
	if sd := classes["CIM_SystemDevice"]; sd == nil || len(sd.Features) != 2 || !sd.Features[0].(*PropertyDecl).IsReference() ||
		sd.Features[1].(*PropertyDecl).Type.Name != "CIM_LogicalDevice" {
		t.Errorf("CIM_SystemDevice lacks its two references")
	}
	var define *MethodDecl
	if vsms := classes["CIM_VirtualSystemManagementService"]; vsms != nil {
		for _, f := range vsms.Features {
			if f.FeatureName() == "DefineSystem" {
				define = f.(*MethodDecl)
			}
		}
	}
	var sig []string
	if define != nil {
		for _, p := range define.Parameters {
			sig = append(sig, typeName(p.Type)+arraySuffix(p.Type)+" "+p.Name)
		}
	}
	want := "string SystemSettings,string[] ResourceSettings,CIM_VirtualSystemSettingData REF ReferenceConfiguration," +
		"CIM_ComputerSystem REF ResultingSystem,CIM_ConcreteJob REF Job"
	if strings.Join(sig, ",") != want {
		t.Errorf("DefineSystem parameters %v, want %s", sig, want)
	}
}

func TestParseExperimentalMigrationMOFs(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "dmtf", "experimental-2.51")
	files, _ := filepath.Glob(filepath.Join(dir, "*.mof"))
	if len(files) == 0 {
		t.Skipf("no experimental MOFs in %s (expected beside the repository as ../shared/dmtf)", dir)
	}
	methods := map[string]*MethodDecl{}
	for _, f := range files {
		res, err := ParseAll(DirLoader{Dir: dir}, filepath.Base(f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, d := range res.Decls {
			for _, feat := range d.(*ClassDecl).Features {
				if m, ok := feat.(*MethodDecl); ok {
					methods[m.Name] = m
				}
			}
		}
	}
	m := methods["MigrateVirtualSystemToHost"]
	if m == nil {
		t.Fatalf("MigrateVirtualSystemToHost not found among %d methods", len(methods))
	}
	last := m.Parameters[len(m.Parameters)-1]
	if !last.Type.Ref || last.Type.Name != "CIM_ConcreteJob" || last.Name != "Job" {
		t.Errorf("last parameter %s, want CIM_ConcreteJob REF Job", dump(last))
	}
}

// TestFormatRoundTripsTheDMTFSchema formats every declaration of the schema
// and parses the text again: the trees must be equal but for positions.
func TestFormatRoundTripsTheDMTFSchema(t *testing.T) {
	zl, err := OpenZip(dmtfZip(t))
	if err != nil {
		t.Fatal(err)
	}
	defer zl.Close()
	res, err := ParseAll(zl, dmtfRoot)
	if err != nil {
		t.Fatal(err)
	}
	text := FormatString(res.Decls)
	again, err := Parse("formatted.mof", []byte(text))
	if err != nil {
		t.Fatalf("parsing the formatted schema: %v", err)
	}
	clearPositions(res.Decls)
	clearPositions(again.Decls)
	if len(again.Decls) != len(res.Decls) {
		t.Fatalf("%d declarations after the round trip, want %d", len(again.Decls), len(res.Decls))
	}
	for i := range res.Decls {
		if !reflect.DeepEqual(again.Decls[i], res.Decls[i]) {
			t.Fatalf("declaration %d differs after the round trip:\n got  %s\n want %s", i, dump(again.Decls[i]), dump(res.Decls[i]))
		}
	}
}

// dmtfFS reads the whole DMTF zip into memory so that benchmarks measure
// parsing, not decompression. It returns the file system and its size.
func dmtfFS(b *testing.B) (fstest.MapFS, int64) {
	zr, err := zip.OpenReader(dmtfZip(b))
	if err != nil {
		b.Fatal(err)
	}
	defer zr.Close()
	m, total := fstest.MapFS{}, int64(0)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			b.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			b.Fatal(err)
		}
		m[f.Name] = &fstest.MapFile{Data: data}
		total += int64(len(data))
	}
	return m, total
}

func BenchmarkParseDMTFSchema(b *testing.B) {
	m, total := dmtfFS(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseAll(FSLoader{FS: m}, dmtfRoot); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLexDMTFSchema(b *testing.B) {
	m, total := dmtfFS(b)
	b.SetBytes(total)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range m {
			l := NewLexer("", f.Data)
			for {
				tok, err := l.Next()
				if err != nil {
					b.Fatal(err)
				}
				if tok.Kind == EOF {
					break
				}
			}
		}
	}
}
