package mof

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// includeTree is a small tree of MOF files that include each other: relative
// to the including file, with a fall-back to the root, and with pragmas that
// must flow through includes.
var includeTree = map[string]string{
	"root.mof": `#pragma locale("en_US")
class R1 {};
#pragma include ("sub/a.mof")
class R2 {};
`,
	"sub/a.mof": `#pragma namespace("root/a")
class A1 {};
#pragma include ("b.mof")
class A2 {};
`,
	"sub/b.mof": `class B {};
#pragma include ("common.mof")
`,
	"common.mof": `Qualifier C : boolean, Scope(any);`,
}

// loaders returns one loader of each kind over files, and the prefix that
// loader puts before the slash-separated names.
func loaders(t *testing.T, files map[string]string) map[string]struct {
	l      Loader
	prefix string
} {
	t.Helper()
	mapFS := fstest.MapFS{}
	dir := t.TempDir()
	for name, body := range files {
		mapFS[name] = &fstest.MapFile{Data: []byte(body)}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return map[string]struct {
		l      Loader
		prefix string
	}{
		"fs.FS":     {FSLoader{FS: mapFS}, ""},
		"directory": {DirLoader{Dir: dir}, dir + string(filepath.Separator)},
		"zip":       {zipOf(t, files), ""},
	}
}

// declSummary names each declaration and its namespace.
func declSummary(decls []Decl) string {
	var parts []string
	for _, d := range decls {
		switch d := d.(type) {
		case *Pragma:
			parts = append(parts, "#"+d.Name)
		case *ClassDecl:
			parts = append(parts, d.Name+"@"+d.Namespace+"/"+d.Locale)
		case *QualifierDecl:
			parts = append(parts, d.Name+"@"+d.Namespace+"/"+d.Locale)
		case *InstanceDecl:
			parts = append(parts, "of "+d.ClassName+"@"+d.Namespace)
		}
	}
	return strings.Join(parts, " ")
}

func TestParseAllFollowsIncludesDepthFirstWithEachLoader(t *testing.T) {
	wantDecls := "#locale R1@/en_US #namespace A1@root/a/en_US B@root/a/en_US C@root/a/en_US A2@root/a/en_US R2@root/a/en_US"
	wantFiles := "root.mof sub/a.mof sub/b.mof common.mof"
	for name, ld := range loaders(t, includeTree) {
		t.Run(name, func(t *testing.T) {
			res, err := ParseAll(ld.l, "root.mof")
			if err != nil {
				t.Fatal(err)
			}
			if got := declSummary(res.Decls); got != wantDecls {
				t.Errorf("declarations\n %s\nwant\n %s", got, wantDecls)
			}
			var files []string
			for _, f := range res.Files {
				files = append(files, filepath.ToSlash(strings.TrimPrefix(f.Name, ld.prefix)))
			}
			if got := strings.Join(files, " "); got != wantFiles {
				t.Errorf("files %s, want them in the order opened: %s", got, wantFiles)
			}
		})
	}
}

func TestParseAllReportsIncludeProblemsAtThePragma(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		want   string
		target error
	}{
		{"a missing include is reported at its pragma",
			map[string]string{"root.mof": "class A {};\n  #pragma include(\"nope.mof\")\n"},
			`root.mof:2:3: cannot read "nope.mof"`, fs.ErrNotExist},
		{"a missing root file is reported by name",
			map[string]string{"other.mof": ""},
			`root.mof: cannot read "root.mof"`, fs.ErrNotExist},
		{"an include cycle is reported with the chain",
			map[string]string{"root.mof": `#pragma include("a.mof")`, "a.mof": "\n#pragma include(\"root.mof\")"},
			`a.mof:2:1: include cycle: root.mof -> a.mof -> root.mof`, ErrIncludeCycle},
		{"a file including itself is a cycle",
			map[string]string{"root.mof": `#pragma include("./root.mof")`},
			`root.mof:1:1: include cycle: root.mof -> root.mof`, ErrIncludeCycle},
		{"an include may not climb out of the tree",
			map[string]string{"root.mof": `#pragma include("../../outside.mof")`},
			`root.mof:1:1: cannot read "../../outside.mof"`, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseAll(FSLoader{FS: mapFSOf(tt.files)}, "root.mof")
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to start with %q", err, tt.want)
			}
			if !errors.Is(err, tt.target) {
				t.Errorf("error %v does not wrap %v", err, tt.target)
			}
		})
	}
}

func mapFSOf(files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, body := range files {
		m[name] = &fstest.MapFile{Data: []byte(body)}
	}
	return m
}

func TestParseAllGoesOnPastErrorsAndNamesTheFile(t *testing.T) {
	files := map[string]string{
		"root.mof":  "#pragma include(\"bad.mof\")\n#pragma include(\"gone.mof\")\nclass Last {};",
		"bad.mof":   "class A {};\nclass B { uint8 };\nclass C {};",
		"other.mof": "",
	}
	res, err := ParseAll(FSLoader{FS: mapFSOf(files)}, "root.mof")
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 2 {
		t.Fatalf("error %v, want two errors", err)
	}
	if got := list[0].Error(); got != `bad.mof:2:17: expected property or method name, found '}'` {
		t.Errorf("first error %q", got)
	}
	if got := list[1].Pos.String(); got != "root.mof:2:1" {
		t.Errorf("second error at %s, want root.mof:2:1", got)
	}
	if got := declSummary(res.Decls); got != "A@/ C@/ Last@/" {
		t.Errorf("declarations %s, want every good one", got)
	}
}

func TestParseAllIncludesAFileAsOftenAsAsked(t *testing.T) {
	files := map[string]string{
		"root.mof": "#pragma include(\"x.mof\")\n#pragma namespace(\"n2\")\n#pragma include(\"x.mof\")",
		"x.mof":    "instance of X {};",
	}
	res, err := ParseAll(FSLoader{FS: mapFSOf(files)}, "root.mof")
	if err != nil {
		t.Fatal(err)
	}
	if got := declSummary(res.Decls); got != "of X@ #namespace of X@n2" {
		t.Errorf("declarations %s, want x.mof's instance twice, once per namespace", got)
	}
}

func TestDirLoaderTakesBackslashesAsSeparators(t *testing.T) {
	ld := loaders(t, map[string]string{"root.mof": `#pragma include("sub\\x.mof")`, "sub/x.mof": "class X {};"})["directory"]
	res, err := ParseAll(ld.l, "root.mof")
	if err != nil {
		t.Fatal(err)
	}
	if got := declSummary(res.Decls); got != "X@/" {
		t.Errorf("declarations %s, want X from sub/x.mof", got)
	}
}

func TestDirLoaderFollowsAbsoluteIncludes(t *testing.T) {
	dir := t.TempDir()
	abs := filepath.Join(dir, "elsewhere", "x.mof")
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(abs, []byte("class X {};"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "root.mof")
	if err := os.WriteFile(root, []byte(`#pragma include(`+QuoteString(abs)+`)`), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := ParseAll(DirLoader{}, root)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 || res.Files[1].Name != abs {
		t.Errorf("files %v, want root.mof then %s", res.Files, abs)
	}
}

func TestOpenZipReportsAMissingArchive(t *testing.T) {
	_, err := OpenZip(filepath.Join(t.TempDir(), "none.zip"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("error %v, want one wrapping fs.ErrNotExist", err)
	}
}
