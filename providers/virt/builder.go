package virt

import "github.com/ferrum-virt/ferrum/cimom/cim"

// builder makes a new instance whose property names are known to be
// distinct, appending without the lookup cim.Instance.Set does, into a
// slice sized once: instance building is most of what enumerating 10,000
// VMs costs.
type builder struct{ in *cim.Instance }

func newBuilder(class string, size int) builder {
	return builder{&cim.Instance{ClassName: class, Properties: make([]cim.PropertyValue, 0, size)}}
}

// add appends a property; name must not be set yet.
func (b builder) add(name string, v cim.Value) builder {
	b.in.Properties = append(b.in.Properties, cim.PropertyValue{Name: name, Value: v})
	return b
}

// done returns the instance.
func (b builder) done() *cim.Instance { return b.in }
