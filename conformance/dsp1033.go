package conformance

import (
	"context"
	"regexp"

	"github.com/ferrum-virt/ferrum/conformance/client"
)

var versionRE = regexp.MustCompile(`^\d+\.\d+\.\d+[a-z]?$`)

// transientCentral names the profiles whose central instances come and go
// with the work the server does: DSP1103's central CIM_ConcreteJob
// instances exist only while jobs do, so an idle server rightly has none.
var transientCentral = map[string]bool{"DSP1103": true}

// dsp1033Checks verify DSP1033 Profile Registration: the Interop namespace,
// the RegisteredProfile instances and the ways to their central instances.
func dsp1033Checks() []Check {
	return []Check{
		{Profile: "DSP1033", Name: "an Interop namespace holds CIM_RegisteredProfile",
			Requirement: "DSP1033 §7: profiles are registered in the Interop namespace (interop, root/interop or root/PG_InterOp)",
			Run: func(ctx context.Context, t *T) {
				if t.D.Interop == "" {
					t.Fatalf("no Interop namespace answered EnumerateInstances CIM_RegisteredProfile: %v", t.D.Err)
				}
				if len(t.D.Profiles) == 0 {
					t.Errorf("%s holds no CIM_RegisteredProfile", t.D.Interop)
				}
			}},
		{Profile: "DSP1033", Name: "Profile Registration registers itself",
			Requirement: "DSP1033 §7.1: an implementation of DSP1033 has a CIM_RegisteredProfile for DSP1033",
			Run: func(ctx context.Context, t *T) {
				if len(t.D.Profiles) == 0 {
					t.Skipf("no registered profiles in %s", t.D.InteropOrNone())
				}
				if t.D.Profile("DSP1033") == nil {
					t.Errorf("%s registers %d profiles and none for DSP1033 (RegisteredName %q, RegisteredOrganization 2)", t.D.Interop, len(t.D.Profiles), profileNames["DSP1033"][0])
				}
			}},
		{Profile: "DSP1033", Name: "RegisteredProfile required properties",
			Requirement: "DSP1033 §10.1: InstanceID, RegisteredOrganization, RegisteredName, RegisteredVersion (M.N.U) and AdvertiseTypes are Required",
			Run:         checkProfileProperties},
		{Profile: "DSP1033", Name: "every profile has central instances",
			Requirement: "DSP1033 §7.2: central instances are reachable by GetCentralInstances, ElementConformsToProfile or the scoping-class methodology",
			Run: func(ctx context.Context, t *T) {
				t.Profile("DSP1033")
				for _, p := range t.D.Profiles {
					if p.DSP != "" && len(p.Central) == 0 && !transientCentral[p.DSP] {
						t.Errorf("%s %s: no central instances by any methodology", p.Name(), p.Instance.Str("RegisteredVersion"))
					}
				}
			}},
		{Profile: "DSP1033", Name: "ElementConformsToProfile traversable in both directions",
			Requirement: "DSP1033 §8.2: CIM_ElementConformsToProfile is resolvable from the profile and from the central instance",
			Run:         checkECTPBothWays},
		{Profile: "DSP1033", Name: "central instances exist",
			Requirement: "DSP1033 §7.2: every central instance named by the server can be retrieved with GetInstance",
			Run: func(ctx context.Context, t *T) {
				t.Profile("DSP1033")
				for _, p := range t.D.Profiles {
					for _, ci := range p.Central {
						if _, err := t.C.GetInstance(ctx, ci); err != nil {
							t.Errorf("%s: GetInstance %s: %v", p.Name(), ci, err)
						}
					}
				}
			}},
		{Profile: "DSP1033", Name: "ReferencedProfile ends are registered profiles",
			Requirement: "DSP1033 §8.3: CIM_ReferencedProfile associates two CIM_RegisteredProfile instances",
			Run:         checkReferencedProfiles},
	}
}

func checkProfileProperties(ctx context.Context, t *T) {
	t.Profile("DSP1033")
	for _, p := range t.D.Profiles {
		in := p.Instance
		if in.Str("InstanceID") == "" {
			t.Errorf("%s: InstanceID is empty", p.Path)
		}
		org, ok := uintProp(in, "RegisteredOrganization")
		switch {
		case !ok:
			t.Errorf("%s: RegisteredOrganization missing or not an integer", p.Path)
		case org == 1 && in.Str("OtherRegisteredOrganization") == "":
			t.Errorf("%s: RegisteredOrganization 1 (Other) without OtherRegisteredOrganization", p.Path)
		case org == 0:
			t.Errorf("%s: RegisteredOrganization 0 is not in the ValueMap", p.Path)
		}
		if in.Str("RegisteredName") == "" {
			t.Errorf("%s: RegisteredName is empty", p.Path)
		}
		if v := in.Str("RegisteredVersion"); !versionRE.MatchString(v) {
			t.Errorf("%s: RegisteredVersion %q is not M.N.U", p.Path, v)
		}
		ats, ok := uintsProp(in, "AdvertiseTypes")
		if !ok || len(ats) == 0 {
			t.Errorf("%s: AdvertiseTypes is missing", p.Path)
		}
		for _, at := range ats {
			if at < 1 || at > 4 {
				t.Errorf("%s: AdvertiseTypes value %d is not in {1 Other, 2 Not Advertised, 3 SLP, 4 WS-Identify}", p.Path, at)
			}
		}
	}
}

func checkECTPBothWays(ctx context.Context, t *T) {
	t.Profile("DSP1033")
	tried := 0
	for _, p := range t.D.Profiles {
		fwd, err := t.C.AssociatorNames(ctx, p.Path, client.AssocFilter{AssocClass: "CIM_ElementConformsToProfile"})
		if err != nil {
			t.Errorf("%s: AssociatorNames via CIM_ElementConformsToProfile: %v", p.Name(), err)
			continue
		}
		for _, ci := range fwd {
			tried++
			back, err := t.C.AssociatorNames(ctx, ci, client.AssocFilter{AssocClass: "CIM_ElementConformsToProfile"})
			if err != nil {
				t.Errorf("%s: AssociatorNames from central instance %s: %v", p.Name(), ci, err)
				continue
			}
			if !containsPath(back, p.Path) {
				t.Errorf("%s: central instance %s does not lead back to its profile (got %v)", p.Name(), ci, back)
			}
			refs, err := t.C.ReferenceNames(ctx, ci, "CIM_ElementConformsToProfile", "")
			if err != nil || len(refs) == 0 {
				t.Errorf("%s: ReferenceNames of %s found no CIM_ElementConformsToProfile (%v)", p.Name(), ci, err)
			}
		}
	}
	if tried == 0 {
		t.Skipf("no profile uses CIM_ElementConformsToProfile")
	}
}

func checkReferencedProfiles(ctx context.Context, t *T) {
	t.Profile("DSP1033")
	var registered = map[string]bool{}
	for _, p := range t.D.Profiles {
		registered[pathKey(p.Path)] = true
	}
	seen := 0
	for _, p := range t.D.Profiles {
		objs, err := t.C.References(ctx, p.Path, "CIM_ReferencedProfile", "")
		if err != nil {
			t.Errorf("%s: References CIM_ReferencedProfile: %v", p.Name(), err)
			continue
		}
		for _, o := range objs {
			seen++
			for _, end := range []string{"Antecedent", "Dependent"} {
				refs := refsOf(mustGet(o.Instance, end))
				if len(refs) != 1 || !registered[pathKey(refs[0])] {
					t.Errorf("%s.%s = %v is not a registered profile", o.Path.ClassName, end, refs)
				}
			}
		}
	}
	if seen == 0 {
		t.Skipf("no CIM_ReferencedProfile instances (a server with one profile needs none)")
	}
}
