package mof

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// clearPositions zeroes every Position reachable from v, in place, so that
// trees parsed from different text can be compared.
func clearPositions(v any) {
	clearValue(reflect.ValueOf(v))
}

var positionType = reflect.TypeFor[Position]()

func clearValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			clearValue(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			clearValue(v.Index(i))
		}
	case reflect.Struct:
		if v.Type() == positionType {
			if v.CanSet() {
				v.SetZero()
			}
			return
		}
		for i := range v.NumField() {
			clearValue(v.Field(i))
		}
	}
}

// mustParse parses src as t.mof and fails the test on any error.
func mustParse(t *testing.T, src string) *File {
	t.Helper()
	f, err := Parse("t.mof", []byte(src))
	if err != nil {
		t.Fatalf("Parse(%q): %v", src, err)
	}
	return f
}

// dmtfZip returns the path of the DMTF CIM Schema 2.49 zip, found as
// ../shared/dmtf beside the repository root, or skips the test.
func dmtfZip(tb testing.TB) string {
	tb.Helper()
	p := filepath.Join(sharedDir(tb), "dmtf", "cim_schema_2.49.0Final-MOFs.zip")
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("DMTF CIM Schema 2.49 zip not found at %s (expected beside the repository as ../shared/dmtf): %v", p, err)
	}
	return p
}

// sharedDir returns ../shared relative to the repository root (the directory
// holding go.mod).
func sharedDir(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skip("repository root (go.mod) not found above the working directory")
		}
		dir = parent
	}
}

// zipOf builds an in-memory zip archive holding files.
func zipOf(t *testing.T, files map[string]string) *ZipLoader {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	zl, err := NewZipLoader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return zl
}
