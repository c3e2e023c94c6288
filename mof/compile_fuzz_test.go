package mof

import (
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
)

// FuzzCompile feeds arbitrary MOF through the parser and the compiler: a
// client's CreateClass or a user's file must never crash Ferrum.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"class T_A { [Key] string Id; uint8 X = 3; };",
		"[Association] class T_L { [Key] T_A REF A; [Key] T_A REF B; };",
		"instance of T_A as $a { Id = \"x\"; X = 255; };",
		"class T_B : T_A { [Override(\"X\")] uint8 X = 1; uint32 M([In] T_A REF r[], string s = \"d\"); };",
		"instance of T_A { Id = $a; X = {1, 2}; };",
		"#pragma namespace(\"root/x\")\nclass T_C { datetime D = \"20250101120000.000000+000\"; char16 C = 'q'; };",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, err := Parse("f.mof", []byte(compileQualifiers+src))
		if err != nil {
			return
		}
		c := &Compiler{Target: repo.New(), DefaultNamespace: "root/f", Instance: func(string, *cim.Instance) error { return nil }}
		_ = c.Compile(file.Decls)
	})
}
