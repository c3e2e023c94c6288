package query

import (
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// FuzzParse checks that Parse never panics, that it fails only with the
// query status codes, and that the canonical form of a parsed query parses
// back to the same canonical form.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"SELECT * FROM CIM_ComputerSystem WHERE Name = 'vm1'",
		"SELECT cs.Name FROM CIM_ComputerSystem cs WHERE cs ISA Ferrum_ComputerSystem AND NOT (EnabledState <> 2 OR x IS NULL)",
		"SELECT * FROM A WHERE N LIKE 'a[b-d]%' ESCAPE '\\' AND EVERY D >= -1.5e3 AND D[2] = 0x1f",
		"SELECT * FROM A, B", "SELECT COUNT(*) FROM A ORDER BY X",
		`S.E = "it's" OR T = 'say ''hi'''`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, lang := range []string{WQL, FQL} {
			q, err := Parse(lang, text)
			if err != nil {
				switch cim.StatusOf(err) {
				case cim.ErrInvalidQuery, cim.ErrQueryFeatureNotSupported:
				default:
					t.Fatalf("Parse(%q) failed with %v", text, err)
				}
				continue
			}
			canon := q.String()
			again, err := Parse(lang, canon)
			if err != nil {
				t.Fatalf("canonical form %q of %q does not parse: %v", canon, text, err)
			}
			if again.String() != canon {
				t.Fatalf("canonical form unstable: %q → %q", canon, again.String())
			}
			_, _ = q.Matches(vm(), isA)
		}
	})
}
