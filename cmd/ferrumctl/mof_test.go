package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCtl(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.code
	default:
		code = 2
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), code
}

func writeMOF(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const qualifiersMOF = `Qualifier Key : boolean = false, Scope(property, reference), Flavor(DisableOverride, ToSubclass);
Qualifier Description : string = null, Scope(any), Flavor(Translatable);
`

func TestMOFCheck(t *testing.T) {
	good := writeMOF(t, "good.mof", qualifiersMOF+`
[Description("a base")] class Ex_Base { [Key] string Id; };
class Ex_Sub : Ex_Base { uint32 Size = 4; };
instance of Ex_Sub { Id = "a"; Size = 7; };
`)
	out, errOut, code := runCtl(t, "mof", "check", good)
	if code != 0 || !strings.Contains(out, "root/cimv2: 2 classes, 2 qualifier declarations") {
		t.Fatalf("check of a good file: code %d, out %q, err %q", code, out, errOut)
	}
	tests := []struct {
		name, text, want string
	}{
		{"syntax error names file:line:col and what was expected", "class Ex_A {\n  uint32 X\n};", "bad.mof:3:1: expected"},
		{"undefined superclass", qualifiersMOF + "class Ex_A : Ex_Missing { };", "bad.mof:3:14: class Ex_A: superclass Ex_Missing is not defined"},
		{"undeclared qualifier", "[Bogus] class Ex_A { };", "bad.mof:1:2: qualifier Bogus is not declared"},
		{"value of the wrong type", qualifiersMOF + "class Ex_A { uint8 X = 300; };", "bad.mof:3:24: property X: 300 is out of range for uint8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := writeMOF(t, "bad.mof", tc.text)
			_, errOut, code := runCtl(t, "mof", "check", bad)
			if code != 1 || !strings.Contains(errOut, tc.want) {
				t.Fatalf("code %d, stderr %q; want exit 1 and %q", code, errOut, tc.want)
			}
		})
	}
}

func TestMOFClasses(t *testing.T) {
	f := writeMOF(t, "c.mof", qualifiersMOF+"class Ex_Base { [Key] string Id; };\nclass Ex_Sub : Ex_Base { };\n")
	out, errOut, code := runCtl(t, "mof", "classes", f)
	if code != 0 || out != "Ex_Base\nEx_Sub : Ex_Base\n" {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
}

func TestMOFCheckZip(t *testing.T) {
	zipPath := filepath.Join("..", "..", "..", "shared", "dmtf", "cim_schema_2.49.0Final-MOFs.zip")
	if _, err := os.Stat(zipPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("DMTF schema zip missing on CI: %v", err)
		}
		t.Skipf("DMTF schema zip not beside the repository: %v", err)
	}
	out, errOut, code := runCtl(t, "mof", "check", zipPath)
	if code != 0 || !strings.Contains(out, "1631 classes") {
		t.Fatalf("code %d, out %q, err %q", code, out, errOut)
	}
}
