package mof

import (
	"errors"
	"strings"
	"testing"
)

func TestParseErrorMessages(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"a top-level declaration must start with a keyword, # or [",
			"Foo", `t.mof:1:1: expected '#pragma', 'qualifier', 'class', 'instance' or '[', found identifier "Foo"`},
		{"a qualifier list must be followed by class or instance",
			"[Key] string X;", `t.mof:1:7: expected 'class' or 'instance', found identifier "string"`},
		{"a class needs a name",
			"class { };", `t.mof:1:7: expected class name, found '{'`},
		{"a property ends with ;",
			"class A {\n  string Name\n};", `t.mof:3:1: expected ';' after property declaration, found '}'`},
		{"a class body ends with };",
			"class A { }", `t.mof:1:12: expected ';' after class body, found end of file`},
		{"an unclosed class body ends at the end of the file",
			"class A {", `t.mof:1:10: expected data type or class name of a property, reference or method, found end of file`},
		{"a non-intrinsic type must be a class followed by REF",
			"class A { Foo Bar; };", `t.mof:1:15: expected 'REF' after class name Foo (or an intrinsic data type), found identifier "Bar"`},
		{"a reference property cannot be an array",
			"class A { A REF r[]; };", `t.mof:1:18: reference r cannot be an array: only parameters may be arrays of references`},
		{"an array size is a positive integer",
			"class A { uint8 x[0]; };", `t.mof:1:19: array size 0 is not a positive integer`},
		{"parameters are separated by commas",
			"class A { uint8 M(uint8 a uint8 b); };", `t.mof:1:27: expected ',' or ')' in parameter list, found identifier "uint8"`},
		{"a qualifier declaration needs a scope",
			"Qualifier Q : boolean;", `t.mof:1:22: expected ',' before Scope, found ';'`},
		{"a qualifier type is intrinsic",
			"Qualifier Q : CIM_X, Scope(any);", `t.mof:1:15: expected intrinsic data type, found identifier "CIM_X"`},
		{"scope elements are the DSP0004 meta-elements",
			"Qualifier Q : boolean, Scope(class, table);", `t.mof:1:37: expected scope element (class, association, indication, property, reference, method, parameter or any), found identifier "table"`},
		{"flavors in a qualifier declaration are known flavors",
			"Qualifier Q : boolean, Scope(any), Flavor(Sticky);", `t.mof:1:43: expected flavor (EnableOverride, DisableOverride, Restricted, ToSubclass or Translatable), found identifier "Sticky"`},
		{"flavors after a qualifier are known flavors",
			"[Q : Bogus] class A {};", `t.mof:1:6: expected flavor, found identifier "Bogus"`},
		{"a qualifier list is closed by ]",
			"[Q(1) class A {};", `t.mof:1:7: expected ',' or ']' in qualifier list, found identifier "class"`},
		{"a qualifier value in parentheses is a constant",
			"[Q($a)] class A {};", `t.mof:1:4: expected qualifier value, found alias $a`},
		{"an instance names its class after 'of'",
			"instance A {};", `t.mof:1:10: expected 'of', found identifier "A"`},
		{"a property value needs a value",
			"instance of A { x = ; };", `t.mof:1:21: expected value (constant, array, alias or instance), found ';'`},
		{"array elements are separated by commas",
			"instance of A { x = {1 2}; };", `t.mof:1:24: expected ',' or '}' in array, found integer 2`},
		{"an integer must fit in 64 bits",
			"instance of A { x = 18446744073709551616; };", `t.mof:1:21: integer 18446744073709551616 does not fit in 64 bits`},
		{"an 'as' must be followed by an alias",
			"class A as b {};", `t.mof:1:12: expected alias ($Name) after 'as', found identifier "b"`},
		{"a pragma has its parameter in parentheses",
			`#pragma include "x.mof"`, `t.mof:1:17: expected '(' after pragma name, found string "x.mof"`},
		{"a pragma parameter is a string",
			`#pragma locale(en)`, `t.mof:1:16: expected pragma parameter string, found identifier "en"`},
		{"lexical errors surface where the parser meets them",
			"[Description(\"abc)] class A {};", `t.mof:1:14: string not terminated`},
		{"an instance ends with ;",
			"instance of A { }", `t.mof:1:18: expected ';' after instance, found end of file`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("t.mof", []byte(tt.src))
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T does not hold a *ParseError", err)
			}
			if pe.Error() != tt.want {
				t.Errorf("error\n %q\nwant\n %q", pe.Error(), tt.want)
			}
		})
	}
}

func TestParseRecoversAtTheNextDeclaration(t *testing.T) {
	src := `class Good1 { string a; };
class Bad1 { string b };
class Good2 : Good1 { };
instance of Good2 { x = @; };
Qualifier Q : boolean, Scope(any);
class Bad2 { uint8 x[-1]; };`
	f, err := Parse("t.mof", []byte(src))
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error %v is not an ErrorList", err)
	}
	var lines []int
	for _, e := range list {
		lines = append(lines, e.Pos.Line)
	}
	if len(lines) != 3 || lines[0] != 2 || lines[1] != 4 || lines[2] != 6 {
		t.Errorf("errors on lines %v, want 2, 4 and 6:\n%s", lines, list.Detail())
	}
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ClassDecl:
			names = append(names, d.Name)
		case *QualifierDecl:
			names = append(names, d.Name)
		}
	}
	if strings.Join(names, ",") != "Good1,Good2,Q" {
		t.Errorf("kept %v, want the good declarations Good1, Good2 and Q", names)
	}
	if !strings.HasSuffix(err.Error(), "(and 2 more errors)") {
		t.Errorf("message %q does not count the other errors", err)
	}
}

func TestParseStopsAfterTooManyErrors(t *testing.T) {
	src := strings.Repeat("junk;\n", 50)
	_, err := Parse("t.mof", []byte(src))
	var list ErrorList
	if !errors.As(err, &list) || len(list) != maxErrors {
		t.Fatalf("got %d errors, want the limit of %d", len(list), maxErrors)
	}
}

func TestParseLimitsEmbeddedInstanceNesting(t *testing.T) {
	src := "instance of A { p = " + strings.Repeat("instance of A { p = ", maxNesting+1) + "1;"
	_, err := Parse("t.mof", []byte(src))
	if err == nil || !strings.Contains(err.Error(), "nest more than") {
		t.Fatalf("error %v, want a nesting limit error", err)
	}
}
