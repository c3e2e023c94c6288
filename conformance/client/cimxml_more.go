package client

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A PropertyDecl is one property of a class as GetClass reports it.
type PropertyDecl struct {
	Name  string
	Type  cim.Type
	Array bool
	Key   bool
}

// A ClassDecl is the part of a class declaration the checks use.
type ClassDecl struct {
	Name       string
	SuperClass string
	Properties []PropertyDecl
	Methods    []string
}

// Property returns the declaration of the property named name.
func (c *ClassDecl) Property(name string) (PropertyDecl, bool) {
	for _, p := range c.Properties {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return PropertyDecl{}, false
}

// GetClass returns the declaration of class in ns (LocalOnly false).
func (c *CIMXML) GetClass(ctx context.Context, ns, class string) (*ClassDecl, error) {
	r, err := c.imethod(ctx, ns, "GetClass", classNameParam("ClassName", class),
		boolParam("LocalOnly", false), boolParam("IncludeQualifiers", true))
	if err != nil {
		return nil, err
	}
	cn := r.kid("IRETURNVALUE").kid("CLASS")
	if cn == nil {
		return nil, fmt.Errorf("GetClass %s: no CLASS returned", class)
	}
	d := &ClassDecl{Name: cn.attr("NAME"), SuperClass: cn.attr("SUPERCLASS")}
	for _, k := range cn.Kids {
		switch k.XMLName.Local {
		case "PROPERTY", "PROPERTY.ARRAY", "PROPERTY.REFERENCE":
			t, _ := cim.ParseType(k.attr("TYPE"))
			if k.XMLName.Local == "PROPERTY.REFERENCE" {
				t = cim.TypeReference
			}
			pd := PropertyDecl{Name: k.attr("NAME"), Type: t, Array: k.XMLName.Local == "PROPERTY.ARRAY"}
			for _, q := range k.all("QUALIFIER") {
				if strings.EqualFold(q.attr("NAME"), "Key") && strings.EqualFold(q.kid("VALUE").text(), "true") {
					pd.Key = true
				}
			}
			d.Properties = append(d.Properties, pd)
		case "METHOD":
			d.Methods = append(d.Methods, k.attr("NAME"))
		}
	}
	return d, nil
}

// PullInstancesWithPath enumerates class with OpenEnumerateInstances and
// PullInstancesWithPath, maxCount instances per request, and returns every
// instance. It closes the context if it stops early.
func (c *CIMXML) PullInstancesWithPath(ctx context.Context, ns, class string, maxCount int) ([]Object, error) {
	r, err := c.imethod(ctx, ns, "OpenEnumerateInstances", classNameParam("ClassName", class),
		strParam("MaxObjectCount", fmt.Sprint(maxCount)))
	if err != nil {
		return nil, err
	}
	var out []Object
	for {
		for _, k := range r.kid("IRETURNVALUE").Kids {
			o, err := decodeObjectWithPath(k, ns)
			if err != nil {
				return nil, err
			}
			out = append(out, o)
		}
		var ctxID string
		end := false
		for _, p := range r.all("PARAMVALUE") {
			switch p.attr("NAME") {
			case "EnumerationContext":
				ctxID = p.kid("VALUE").text()
			case "EndOfSequence":
				end = strings.EqualFold(p.kid("VALUE").text(), "true")
			}
		}
		if end {
			return out, nil
		}
		if ctxID == "" {
			return out, fmt.Errorf("OpenEnumerateInstances: neither EndOfSequence nor EnumerationContext")
		}
		r, err = c.imethod(ctx, ns, "PullInstancesWithPath", strParam("EnumerationContext", ctxID),
			strParam("MaxObjectCount", fmt.Sprint(maxCount)))
		if err != nil {
			return out, err
		}
	}
}
