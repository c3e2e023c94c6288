package cimxml

import (
	"errors"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/cimom/repo"
	"github.com/ferrum-virt/ferrum/mof"
)

// mofInstance compiles an embedded instance that an older client sent as
// MOF text ("instance of X { Prop = value; };") against the repository.
// Embedded instances often leave out their keys (a RASD for DefineSystem
// has no InstanceID yet), so the classes the compiler sees have no keys.
func (d *decoder) mofInstance(text string) (*cim.Instance, error) {
	if d.repo == nil {
		return nil, invalidf("embedded MOF cannot be read here")
	}
	f, err := mof.Parse("embedded object", []byte(text))
	if err != nil {
		return nil, invalidf("embedded object is neither INSTANCE XML nor MOF: %v", err)
	}
	var insts []*cim.Instance
	c := &mof.Compiler{
		Target:           keylessTarget{d.repo},
		DefaultNamespace: d.ns,
		Instance: func(_ string, inst *cim.Instance) error {
			insts = append(insts, inst)
			return nil
		},
	}
	if err := c.Compile(f.Decls); err != nil {
		return nil, invalidf("embedded object: %v", err)
	}
	if len(insts) != 1 {
		return nil, invalidf("an embedded object must be exactly one instance, not %d", len(insts))
	}
	return insts[0], nil
}

var errReadOnly = errors.New("an embedded object cannot declare classes, qualifiers or namespaces")

// keylessTarget lets the MOF compiler read the repository and nothing else;
// the classes it returns have no Key qualifiers.
type keylessTarget struct{ r *repo.Repository }

func (t keylessTarget) HasNamespace(ns string) bool { return t.r.HasNamespace(ns) }

func (t keylessTarget) CreateNamespace(string) error { return errReadOnly }

func (t keylessTarget) QualifierDecl(ns, name string) (*cim.QualifierDecl, error) {
	return t.r.QualifierDecl(ns, name)
}

func (t keylessTarget) SetQualifierDecl(string, *cim.QualifierDecl) error { return errReadOnly }

func (t keylessTarget) AddClass(string, *cim.Class) error { return errReadOnly }

func (t keylessTarget) Class(ns, name string) (*cim.Class, error) {
	c, err := t.r.Class(ns, name)
	if err != nil {
		return nil, err
	}
	out := c.Clone()
	for _, p := range out.Properties {
		kept := p.Qualifiers[:0]
		for _, q := range p.Qualifiers {
			if !strings.EqualFold(q.Name, "Key") {
				kept = append(kept, q)
			}
		}
		p.Qualifiers = kept
	}
	out.BuildIndex()
	return out, nil
}
