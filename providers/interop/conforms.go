package interop

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// conformsProvider serves ElementConformsToProfile and answers traversal
// from one element without building every profile's link list: from a
// profile it lists that profile's central instances only, and from any
// other element it skips the profiles whose CentralClasses it cannot be.
type conformsProvider struct {
	instancesFunc
	p *Provider
}

// References implements cimom.ReferenceProvider.
func (c conformsProvider) References(ctx context.Context, _ string, _ *cim.Class, target cim.ObjectPath, role string, yield func(*cim.Instance) bool) error {
	tns := target.Namespace
	if tns == "" {
		tns = cimom.InteropNamespace
	}
	isProfile := c.p.d.Repo.IsA(tns, target.ClassName, "CIM_RegisteredProfile")
	for _, prof := range c.p.Profiles() {
		if prof.Central == nil || !c.candidate(prof, target, tns, isProfile, role) {
			continue
		}
		central, err := prof.Central(ctx)
		if err != nil {
			return err
		}
		for _, el := range central {
			if !isProfile && !el.Local().Equal(target.Local()) {
				continue
			}
			link := cim.NewInstance("Ferrum_ElementConformsToProfile").
				Set("ConformantStandard", cim.Ref(c.p.profilePath(prof.ID))).
				Set("ManagedElement", cim.Ref(el))
			if !yield(link) {
				return nil
			}
		}
	}
	return nil
}

// candidate reports whether prof can have a link that refers to target
// through role.
func (c conformsProvider) candidate(prof Profile, target cim.ObjectPath, tns string, isProfile bool, role string) bool {
	if isProfile {
		if role != "" && !strings.EqualFold(role, "ConformantStandard") {
			return false
		}
		id, _ := target.Key("InstanceID")
		return id.Str() == profileInstanceID(prof.ID)
	}
	if role != "" && !strings.EqualFold(role, "ManagedElement") {
		return false
	}
	if len(prof.CentralClasses) == 0 {
		return true
	}
	for _, cc := range prof.CentralClasses {
		if c.p.d.Repo.IsA(tns, target.ClassName, cc) {
			return true
		}
	}
	return false
}
