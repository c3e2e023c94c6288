package cimom

import (
	"fmt"

	"github.com/ferrum-virt/ferrum/cimom/repo"
	"github.com/ferrum-virt/ferrum/mof"
	"github.com/ferrum-virt/ferrum/mof/schema"
)

// The namespaces Ferrum serves.
const (
	VirtNamespace    = "root/virt"
	InteropNamespace = "root/interop"
)

// LoadSchema compiles Ferrum's embedded schema into r: root_virt.mof into
// root/virt and root_interop.mof into root/interop.
func LoadSchema(r *repo.Repository) error {
	for _, target := range []struct{ root, ns string }{
		{schema.VirtRoot, VirtNamespace},
		{schema.InteropRoot, InteropNamespace},
	} {
		res, err := mof.ParseAll(mof.FSLoader{FS: schema.FS}, target.root)
		if err != nil {
			return fmt.Errorf("parse embedded schema %s: %w", target.root, err)
		}
		c := &mof.Compiler{Target: r, DefaultNamespace: target.ns}
		if err := c.Compile(res.Decls); err != nil {
			return fmt.Errorf("compile embedded schema %s: %w", target.root, err)
		}
	}
	return nil
}

// NewSchemaRepository returns a repository holding Ferrum's schema.
func NewSchemaRepository() (*repo.Repository, error) {
	r := repo.New()
	if err := LoadSchema(r); err != nil {
		return nil, err
	}
	return r, nil
}
