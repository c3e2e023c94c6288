package cim

import "strings"

// A Param is a named method argument or output parameter.
type Param struct {
	Name  string
	Value Value
}

// Params is a list of method parameters, looked up case-insensitively.
type Params []Param

// Get returns the parameter named name.
func (ps Params) Get(name string) (Value, bool) {
	for _, p := range ps {
		if strings.EqualFold(p.Name, name) {
			return p.Value, true
		}
	}
	return Value{}, false
}
