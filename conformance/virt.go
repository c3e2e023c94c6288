package conformance

import (
	"context"
	"fmt"
	"regexp"
	"strings"
)

// virtChecks verify the system-virtualization profiles' mandatory classes,
// properties and associations, scoped from the central instances.
func virtChecks() []Check {
	return []Check{
		{Profile: "DSP1042", Name: "host is a ComputerSystem with its keys",
			Requirement: "DSP1042 §7.1 / DSP1052: the host CIM_ComputerSystem has CreationClassName and Name",
			Run: func(ctx context.Context, t *T) {
				for _, h := range central(t, "DSP1042", 4) {
					inst, err := t.C.GetInstance(ctx, h)
					if err != nil {
						t.Errorf("GetInstance %s: %v", h, err)
						continue
					}
					if inst.Str("CreationClassName") == "" || inst.Str("Name") == "" {
						t.Errorf("%s: CreationClassName or Name is empty", h)
					}
				}
			}},
		{Profile: "DSP1042", Name: "VirtualSystemManagementService hosted on the host",
			Requirement: "DSP1042 §7.2: one CIM_VirtualSystemManagementService per host, associated by CIM_HostedService",
			Run: func(ctx context.Context, t *T) {
				for _, h := range central(t, "DSP1042", 4) {
					for _, s := range bothWays(ctx, t, h, "CIM_HostedService", "CIM_VirtualSystemManagementService", 1) {
						requireProps(t, s, "SystemCreationClassName", "SystemName", "CreationClassName", "Name")
					}
				}
			}},
		{Profile: "DSP1042", Name: "VirtualSystemManagementCapabilities",
			Requirement: "DSP1042 §7.3: CIM_VirtualSystemManagementCapabilities via CIM_ElementCapabilities; method lists within the ValueMap 2..10",
			Run: func(ctx context.Context, t *T) {
				for _, h := range central(t, "DSP1042", 4) {
					svcs, _ := t.C.AssociatorNames(ctx, h, assocTo("CIM_HostedService", "CIM_VirtualSystemManagementService"))
					for _, s := range svcs {
						for _, c := range bothWays(ctx, t, s, "CIM_ElementCapabilities", "CIM_VirtualSystemManagementCapabilities", 1) {
							requireProps(t, c, "InstanceID")
							for _, prop := range []string{"SynchronousMethodsSupported", "AsynchronousMethodsSupported"} {
								ns, _ := uintsProp(c.Instance, prop)
								for _, n := range ns {
									if !inValueMap(n, [2]uint64{2, 10}, [2]uint64{32768, 65535}) {
										t.Errorf("%s.%s has %d, outside the ValueMap", c.Path, prop, n)
									}
								}
							}
						}
					}
				}
			}},
		{Profile: "DSP1042", Name: "HostedDependency between host and virtual systems",
			Requirement: "DSP1042 §7.4: CIM_HostedDependency associates the host (Antecedent) with each virtual system, traversable both ways",
			Run: func(ctx context.Context, t *T) {
				for _, h := range central(t, "DSP1042", 4) {
					bothWays(ctx, t, h, "CIM_HostedDependency", "CIM_ComputerSystem", 0)
				}
			}},
		{Profile: "DSP1057", Name: "virtual system state and ValueMaps",
			Requirement: "DSP1057 §7.1 / DSP1052: EnabledState and RequestedState take values from their ValueMaps",
			Run: func(ctx context.Context, t *T) {
				for _, vm := range central(t, "DSP1057", 5) {
					inst, err := t.C.GetInstance(ctx, vm)
					if err != nil {
						t.Errorf("GetInstance %s: %v", vm, err)
						continue
					}
					if n, ok := uintProp(inst, "EnabledState"); !ok || !inValueMap(n, [2]uint64{0, 11}, [2]uint64{32768, 65535}) {
						t.Errorf("%s: EnabledState %q is not in the ValueMap", vm, propText(inst, "EnabledState"))
					}
					if n, ok := uintProp(inst, "RequestedState"); ok && !inValueMap(n, [2]uint64{0, 12}, [2]uint64{32768, 65535}) {
						t.Errorf("%s: RequestedState %d is not in the ValueMap", vm, n)
					}
				}
			}},
		{Profile: "DSP1057", Name: "VirtualSystemSettingData via SettingsDefineState",
			Requirement: "DSP1057 §7.3: each virtual system has a state VSSD (CIM_SettingsDefineState) with InstanceID and ElementName",
			Run: func(ctx context.Context, t *T) {
				for _, vm := range central(t, "DSP1057", 5) {
					for _, s := range bothWays(ctx, t, vm, "CIM_SettingsDefineState", "CIM_VirtualSystemSettingData", 1) {
						requireProps(t, s, "InstanceID", "ElementName")
					}
				}
			}},
		{Profile: "DSP1057", Name: "RASDs via VirtualSystemSettingDataComponent",
			Requirement: "DSP1057 §7.4 / DSP1041: the VSSD aggregates its RASDs (CIM_VirtualSystemSettingDataComponent), each with InstanceID and a ResourceType from the ValueMap",
			Run: func(ctx context.Context, t *T) {
				for _, vm := range central(t, "DSP1057", 3) {
					vssds, _ := t.C.AssociatorNames(ctx, vm, assocTo("CIM_SettingsDefineState", "CIM_VirtualSystemSettingData"))
					for _, s := range vssds {
						for _, r := range bothWays(ctx, t, s, "CIM_VirtualSystemSettingDataComponent", "CIM_ResourceAllocationSettingData", 1) {
							requireProps(t, r, "InstanceID")
							if n, ok := uintProp(r.Instance, "ResourceType"); !ok || !inValueMap(n, [2]uint64{1, 35}, [2]uint64{32768, 65535}) {
								t.Errorf("%s: ResourceType %q is not in the ValueMap", r.Path, propText(r.Instance, "ResourceType"))
							}
						}
					}
				}
			}},
		{Profile: "DSP1057", Name: "EnabledLogicalElementCapabilities.RequestedStatesSupported",
			Requirement: "DSP1057 §7.6 / DSP1052 §7.4: RequestedStatesSupported lists only states RequestStateChange accepts (2,3,4,6,7,8,9,10,11)",
			Run: func(ctx context.Context, t *T) {
				found := 0
				for _, vm := range central(t, "DSP1057", 5) {
					for _, c := range bothWays(ctx, t, vm, "CIM_ElementCapabilities", "CIM_EnabledLogicalElementCapabilities", 0) {
						found++
						states, _ := uintsProp(c.Instance, "RequestedStatesSupported")
						for _, s := range states {
							if !inValueMap(s, [2]uint64{2, 4}, [2]uint64{6, 11}) {
								t.Errorf("%s: RequestedStatesSupported has %d", c.Path, s)
							}
						}
					}
				}
				if found == 0 {
					t.Skipf("no EnabledLogicalElementCapabilities (conditional: only with state management)")
				}
			}},
		{Profile: "DSP1041", Name: "resource pools and primordial pools",
			Requirement: "DSP1041 §7.1: every pool has InstanceID, ResourceType and Primordial; exactly one primordial pool per ResourceType per host",
			Run: func(ctx context.Context, t *T) {
				primordial := map[string]int{}
				for _, p := range hostPools(ctx, t) {
					requireProps(t, p, "InstanceID", "ResourceType", "Primordial")
					if b, ok := boolProp(p.Instance, "Primordial"); ok && b {
						primordial[propText(p.Instance, "ResourceType")+"/"+p.Instance.Str("ResourceSubType")]++
					}
				}
				if len(primordial) == 0 {
					t.Errorf("no primordial pool")
				}
			}},
		{Profile: "DSP1043", Name: "AllocationCapabilities of each pool",
			Requirement: "DSP1043 §7.1: each pool has CIM_AllocationCapabilities via CIM_ElementCapabilities, with a ResourceType matching the pool's",
			Run: func(ctx context.Context, t *T) {
				t.Profile("DSP1043")
				for _, p := range hostPools(ctx, t) {
					for _, c := range bothWays(ctx, t, p.Path, "CIM_ElementCapabilities", "CIM_AllocationCapabilities", 1) {
						if propText(c.Instance, "ResourceType") != propText(p.Instance, "ResourceType") {
							t.Errorf("%s: ResourceType %s, pool %s has %s", c.Path, propText(c.Instance, "ResourceType"), p.Path, propText(p.Instance, "ResourceType"))
						}
					}
				}
			}},
		resourcePoolCheck("DSP1044", "Processor", 3),
		resourcePoolCheck("DSP1045", "Memory", 4),
		resourcePoolCheck("DSP1047", "Storage", 17, 19, 31, 32),
		resourcePoolCheck("DSP1050", "Ethernet", 10, 30, 33),
		{Profile: "DSP1045", Name: "memory AllocationUnits is a programmatic unit",
			Requirement: "DSP1045 §7.2 / DSP0004 Annex C: memory RASD AllocationUnits is a programmatic unit such as byte*2^20",
			Run: func(ctx context.Context, t *T) {
				t.Profile("DSP1045")
				for _, p := range hostPools(ctx, t) {
					if n, _ := uintProp(p.Instance, "ResourceType"); n == 4 {
						if u := p.Instance.Str("AllocationUnits"); u != "" && !punitRE.MatchString(strings.ReplaceAll(u, " ", "")) {
							t.Errorf("%s: AllocationUnits %q is not a programmatic unit", p.Path, u)
						}
					}
				}
			}},
		{Profile: "DSP1097", Name: "virtual switch is a dedicated ComputerSystem",
			Requirement: "DSP1097 §7.1: the virtual Ethernet switch is a CIM_ComputerSystem with Dedicated 5 (Switch) or 38 (Ethernet Switch)",
			Run: func(ctx context.Context, t *T) {
				for _, sw := range central(t, "DSP1097", 5) {
					inst, err := t.C.GetInstance(ctx, sw)
					if err != nil {
						t.Errorf("GetInstance %s: %v", sw, err)
						continue
					}
					ded, _ := uintsProp(inst, "Dedicated")
					if !containsAny(ded, 5, 38) {
						t.Errorf("%s: Dedicated %v has neither 5 nor 38", sw, ded)
					}
				}
			}},
	}
}

var punitRE = regexp.MustCompile(`(?i)^(bytes?|kilobytes|megabytes|gigabytes)$|^byte(\*\d+\^-?\d+)*$`)

func containsAny(ns []uint64, want ...uint64) bool {
	for _, n := range ns {
		for _, w := range want {
			if n == w {
				return true
			}
		}
	}
	return false
}

// resourcePoolCheck verifies that a resource-virtualization profile has a
// primordial pool of one of its resource types.
func resourcePoolCheck(dsp, what string, types ...uint64) Check {
	return Check{Profile: dsp, Name: what + " primordial pool",
		Requirement: fmt.Sprintf("%s §7 / DSP1041 §7.1: a primordial CIM_ResourcePool with ResourceType in %v on each host", dsp, types),
		Run: func(ctx context.Context, t *T) {
			t.Profile(dsp)
			for _, p := range hostPools(ctx, t) {
				n, _ := uintProp(p.Instance, "ResourceType")
				if b, _ := boolProp(p.Instance, "Primordial"); b && containsAny([]uint64{n}, types...) {
					return
				}
			}
			t.Errorf("no primordial pool with ResourceType in %v", types)
		}}
}
