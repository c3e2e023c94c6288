package mof

import (
	"reflect"
	"testing"
)

var fuzzSeeds = []string{
	`#pragma locale ("en_US")`,
	`#pragma include ("Core/" "CIM_ManagedElement.mof")`,
	`Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);`,
	`Qualifier ValueMap : string[] = {"0", ".."}, Scope(property, method, parameter);`,
	`[Abstract, Version ( "2.19.0" ), Description ( "a" "b\n\x41" ) : ToSubclass]
class CIM_ManagedElement as $me : CIM_Root {
   [Key, MaxLen ( 256 )] string InstanceID;
   uint16 Codes[] = {1, 0x2, 017, 101b};
   real64 R = -1.5e3;
   char16 C = '\'';
   CIM_X REF Ref = "CIM_X.Name=\"n\"";
   [Static] uint32 M([In] CIM_Y REF Ys[], [Out] string S[4], boolean B = TRUE);
};`,
	`[Note("x")] instance of CIM_X as $x { Name = "n"; Refs = {$a, $b}; N = NULL;
   Emb = instance of CIM_E { P = {instance of CIM_F {}}; }; };`,
	"class A { string a };",
	"instance of A { x = {1 2}; };",
	"/* unterminated",
	"\"unterminated\n",
	"class \xff {};",
}

// FuzzParse checks that the parser neither panics nor hangs, and that what it
// accepts survives a round trip through Format.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		file, err := Parse("fuzz.mof", src)
		if err != nil {
			return
		}
		text := FormatString(file.Decls)
		again, err := Parse("formatted.mof", []byte(text))
		if err != nil {
			t.Fatalf("formatted output does not parse: %v\n%s", err, text)
		}
		clearPositions(file.Decls)
		clearPositions(again.Decls)
		if !reflect.DeepEqual(file.Decls, again.Decls) {
			t.Fatalf("round trip changed the tree:\n got  %s\n want %s\n%s", dump(again.Decls), dump(file.Decls), text)
		}
	})
}
