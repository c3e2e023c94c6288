package mof_test

import (
	"fmt"
	"testing/fstest"

	"github.com/ferrum-virt/ferrum/mof"
)

func ExampleParse() {
	src := `[Description("A virtual machine" " (guest)")]
class Ferrum_VM : CIM_ComputerSystem {
    [Key] string Name;
    uint32 Start([In] uint16 Delay, [Out] CIM_ConcreteJob REF Job);
};`
	f, err := mof.Parse("vm.mof", []byte(src))
	if err != nil {
		fmt.Println(err)
		return
	}
	c := f.Decls[0].(*mof.ClassDecl)
	fmt.Println(c.Name, "derives from", c.SuperClass)
	fmt.Println(c.Qualifiers[0].Name, c.Qualifiers[0].Value.(*mof.StringValue).Value)
	for _, feat := range c.Features {
		fmt.Printf("%T %s at %v\n", feat, feat.FeatureName(), feat.Pos())
	}
	// Output:
	// Ferrum_VM derives from CIM_ComputerSystem
	// Description A virtual machine (guest)
	// *mof.PropertyDecl Name at vm.mof:3:5
	// *mof.MethodDecl Start at vm.mof:4:5
}

func ExampleParse_error() {
	_, err := mof.Parse("bad.mof", []byte("class A {\n    string Name\n};"))
	fmt.Println(err)
	// Output:
	// bad.mof:3:1: expected ';' after property declaration, found '}'
}

func ExampleParseAll() {
	files := fstest.MapFS{
		"schema.mof":    {Data: []byte(`#pragma namespace("root/virt")` + "\n" + `#pragma include("core/vm.mof")`)},
		"core/vm.mof":   {Data: []byte(`#pragma include("base.mof")` + "\nclass Ferrum_VM : Ferrum_Base {};")},
		"core/base.mof": {Data: []byte("class Ferrum_Base {};")},
	}
	res, err := mof.ParseAll(mof.FSLoader{FS: files}, "schema.mof")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range res.Decls {
		if c, ok := d.(*mof.ClassDecl); ok {
			fmt.Println(c.Namespace, c.Name, c.Position)
		}
	}
	// Output:
	// root/virt Ferrum_Base core/base.mof:1:1
	// root/virt Ferrum_VM core/vm.mof:2:1
}
