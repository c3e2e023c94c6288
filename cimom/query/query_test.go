package query

import (
	"strings"
	"testing"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, lang, text string
		want             cim.Status
	}{
		{"an unknown language → CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED", "SQL", "SELECT * FROM A", cim.ErrQueryLanguageNotSupported},
		{"an empty language → CIM_ERR_QUERY_LANGUAGE_NOT_SUPPORTED", "", "SELECT * FROM A", cim.ErrQueryLanguageNotSupported},
		{"no FROM → CIM_ERR_INVALID_QUERY", "WQL", "SELECT *", cim.ErrInvalidQuery},
		{"no SELECT → CIM_ERR_INVALID_QUERY", "WQL", "FROM A", cim.ErrInvalidQuery},
		{"an unterminated string → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A WHERE Name = 'x", cim.ErrInvalidQuery},
		{"a dangling AND → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A WHERE Name = 'x' AND", cim.ErrInvalidQuery},
		{"an unbalanced parenthesis → CIM_ERR_INVALID_QUERY", "DMTF:CQL", "SELECT * FROM A WHERE (Name = 'x'", cim.ErrInvalidQuery},
		{"a trailing token → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A B C", cim.ErrInvalidQuery},
		{"a qualifier that is not the FROM class → CIM_ERR_INVALID_QUERY", "DMTF:CQL", "SELECT B.Name FROM A", cim.ErrInvalidQuery},
		{"LIKE without a string → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A WHERE Name LIKE 3", cim.ErrInvalidQuery},
		{"a LIKE set without ] → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A WHERE Name LIKE 'a[bc'", cim.ErrInvalidQuery},
		{"an ESCAPE of two characters → CIM_ERR_INVALID_QUERY", "WQL", `SELECT * FROM A WHERE Name LIKE 'a' ESCAPE 'ab'`, cim.ErrInvalidQuery},
		{"ISA without a class → CIM_ERR_INVALID_QUERY", "DMTF:CQL", "SELECT * FROM A WHERE X ISA 3", cim.ErrInvalidQuery},
		{"the instance compared with = → CIM_ERR_INVALID_QUERY", "DMTF:CQL", "SELECT * FROM A a WHERE a = 3", cim.ErrInvalidQuery},
		{"invalid UTF-8 → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A WHERE N = '\xff'", cim.ErrInvalidQuery},
		{"a reserved word as a property → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A WHERE AND = 1", cim.ErrInvalidQuery},
		{"a hex number out of range → CIM_ERR_INVALID_QUERY", "WQL", "SELECT * FROM A WHERE N = 0x1FFFFFFFFFFFFFFFF", cim.ErrInvalidQuery},
		{"nesting deeper than the limit → CIM_ERR_INVALID_QUERY", "DMTF:FQL", strings.Repeat("(", 200) + "A = 1" + strings.Repeat(")", 200), cim.ErrInvalidQuery},
		{"a join with a comma → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "WQL", "SELECT * FROM A, B", cim.ErrQueryFeatureNotSupported},
		{"a JOIN → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A JOIN B ON A.X = B.Y", cim.ErrQueryFeatureNotSupported},
		{"ORDER BY → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A WHERE X = 1 ORDER BY X", cim.ErrQueryFeatureNotSupported},
		{"ORDER BY without WHERE → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A ORDER BY X", cim.ErrQueryFeatureNotSupported},
		{"GROUP BY → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "WQL", "SELECT X FROM A GROUP BY X", cim.ErrQueryFeatureNotSupported},
		{"COUNT(*) → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT COUNT(*) FROM A", cim.ErrQueryFeatureNotSupported},
		{"DISTINCT → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT DISTINCT X FROM A", cim.ErrQueryFeatureNotSupported},
		{"a function in WHERE → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A WHERE UPPER(Name) = 'X'", cim.ErrQueryFeatureNotSupported},
		{"arithmetic → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A WHERE X + 1 = 2", cim.ErrQueryFeatureNotSupported},
		{"IN → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A WHERE X IN (1, 2)", cim.ErrQueryFeatureNotSupported},
		{"BETWEEN → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A WHERE X BETWEEN 1 AND 2", cim.ErrQueryFeatureNotSupported},
		{"a subquery → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:CQL", "SELECT * FROM A WHERE (SELECT X FROM B) = 1", cim.ErrQueryFeatureNotSupported},
		{"[*] → CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED", "DMTF:FQL", "X[*] = 1", cim.ErrQueryFeatureNotSupported},
		{"an FQL filter with SELECT → CIM_ERR_INVALID_QUERY", "DMTF:FQL", "SELECT * FROM A", cim.ErrInvalidQuery},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.lang, tc.text)
			if got := cim.StatusOf(err); got != tc.want || err == nil {
				t.Fatalf("Parse(%q) = %v, %v; want %s", tc.text, q, err, tc.want)
			}
		})
	}
}

func TestParseCanonical(t *testing.T) {
	tests := []struct{ name, lang, text, want string }{
		{"keywords in any case", "wql", "select * from Ferrum_ComputerSystem where Name = 'vm1'", "SELECT * FROM Ferrum_ComputerSystem WHERE (Name = 'vm1')"},
		{"AND binds tighter than OR", "WQL", "SELECT * FROM CIM_X WHERE a=1 OR b=2 AND c=3", "SELECT * FROM CIM_X WHERE ((a = 1) OR ((b = 2) AND (c = 3)))"},
		{"parentheses override precedence", "WQL", "SELECT * FROM CIM_X WHERE (a=1 OR b=2) AND c=3", "SELECT * FROM CIM_X WHERE (((a = 1) OR (b = 2)) AND (c = 3))"},
		{"NOT binds tightest", "CQL", "SELECT * FROM CIM_X WHERE NOT a=1 AND b=2", "SELECT * FROM CIM_X WHERE ((NOT (a = 1)) AND (b = 2))"},
		{"!= reads as <>", "WQL", "SELECT * FROM CIM_X WHERE a != 1", "SELECT * FROM CIM_X WHERE (a <> 1)"},
		{"qualified select items lose the qualifier", "DMTF:CQL", "SELECT cs.Name, cs.ElementName FROM CIM_ComputerSystem AS cs WHERE cs.Name = 'x'", "SELECT Name, ElementName FROM CIM_ComputerSystem cs WHERE (Name = 'x')"},
		{"alias.* selects everything", "DMTF:CQL", "SELECT cs.* FROM CIM_ComputerSystem cs", "SELECT * FROM CIM_ComputerSystem cs"},
		{"the alias with ISA", "DMTF:CQL", "SELECT * FROM CIM_LogicalDevice ld WHERE ld ISA 'CIM_DiskDrive'", "SELECT * FROM CIM_LogicalDevice ld WHERE (ld ISA CIM_DiskDrive)"},
		{"quotes doubled and escaped", "WQL", `SELECT * FROM A WHERE N = 'it''s' OR N = "say \"hi\""`, `SELECT * FROM A WHERE ((N = 'it''s') OR (N = 'say "hi"'))`},
		{"negative and real numbers", "WQL", "SELECT * FROM CIM_X WHERE a > -5 AND b < 2.5e3 AND c = 0x10", "SELECT * FROM CIM_X WHERE (((a > -5) AND (b < 2500)) AND (c = 16))"},
		{"LIKE with ESCAPE", "DMTF:CQL", `SELECT * FROM A WHERE N NOT LIKE 'a!%%' ESCAPE '!'`, `SELECT * FROM A WHERE (N NOT LIKE 'a!%%' ESCAPE '!')`},
		{"IS NOT NULL", "WQL", "SELECT * FROM A WHERE N IS NOT NULL", "SELECT * FROM A WHERE (N IS NOT NULL)"},
		{"a bare boolean", "WQL", "SELECT * FROM A WHERE Enabled AND TRUE", "SELECT * FROM A WHERE (Enabled AND TRUE)"},
		{"EVERY and an index", "DMTF:FQL", "EVERY Ops = 2 OR Ops[1] >= 3", "((EVERY Ops = 2) OR (Ops[1] >= 3))"},
		{"an embedded property path", "DMTF:FQL", "Setting.ElementName LIKE 'vm%'", "(Setting.ElementName LIKE 'vm%')"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(tc.lang, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := q.String(); got != tc.want {
				t.Fatalf("String() = %s\nwant       %s", got, tc.want)
			}
			again, err := Parse(tc.lang, q.String())
			if err != nil || again.String() != q.String() {
				t.Fatalf("the canonical form does not parse back: %v, %v", again, err)
			}
		})
	}
}

func TestFromClassAndProperties(t *testing.T) {
	q, err := Parse("DMTF:CQL", "SELECT Name, EnabledState FROM CIM_ComputerSystem cs WHERE cs ISA Ferrum_ComputerSystem")
	if err != nil {
		t.Fatal(err)
	}
	if q.FromClass() != "CIM_ComputerSystem" || q.Language() != CQL {
		t.Fatalf("FromClass = %q, Language = %q", q.FromClass(), q.Language())
	}
	if got := strings.Join(q.Properties(), ","); got != "Name,EnabledState" {
		t.Fatalf("Properties = %s", got)
	}
	f, err := Parse("dmtf:fql", "Name = 'x'")
	if err != nil || f.FromClass() != "" || f.Properties() != nil {
		t.Fatalf("an FQL filter: %v, %q, %v", err, f.FromClass(), f.Properties())
	}
}

func TestValidate(t *testing.T) {
	class := &cim.Class{Name: "A", Properties: []*cim.Property{{Name: "Name", Type: cim.TypeString}, {Name: "N", Type: cim.TypeUint32}}}
	class.BuildIndex()
	tests := []struct {
		name, text string
		want       cim.Status
	}{
		{"known properties pass", "SELECT Name FROM A WHERE N > 1 AND __CLASS = 'A'", cim.StatusOK},
		{"an unknown selected property → CIM_ERR_INVALID_QUERY", "SELECT Nope FROM A", cim.ErrInvalidQuery},
		{"an unknown property in WHERE → CIM_ERR_INVALID_QUERY", "SELECT * FROM A WHERE Nope = 1", cim.ErrInvalidQuery},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, err := Parse(WQL, tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := cim.StatusOf(q.Validate(class)); got != tc.want {
				t.Fatalf("Validate = %s, want %s", got, tc.want)
			}
		})
	}
}
