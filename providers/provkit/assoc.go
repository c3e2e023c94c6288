package provkit

import "github.com/ferrum-virt/ferrum/cimom/cim"

// Link builds an association instance of class from name/value pairs:
// an ObjectPath value becomes a reference, a cim.Value is set as it is.
func Link(class string, pairs ...any) *cim.Instance {
	in := cim.NewInstance(class)
	for i := 0; i+1 < len(pairs); i += 2 {
		switch v := pairs[i+1].(type) {
		case cim.ObjectPath:
			in.Set(pairs[i].(string), cim.Ref(v))
		case cim.Value:
			in.Set(pairs[i].(string), v)
		}
	}
	return in
}

// YieldAll passes insts to yield until it returns false; it reports
// whether yield wanted more.
func YieldAll(insts []*cim.Instance, yield func(*cim.Instance) bool) bool {
	for _, in := range insts {
		if !yield(in) {
			return false
		}
	}
	return true
}

// Local drops p's host and defaults its namespace to ns, so that paths
// from clients (with or without either) compare equal to a provider's.
func Local(p cim.ObjectPath, ns string) cim.ObjectPath {
	p = p.Local()
	if p.Namespace == "" {
		p.Namespace = ns
	}
	return p
}
