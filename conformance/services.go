package conformance

import (
	"context"

	"github.com/ferrum-virt/ferrum/conformance/client"
)

func assocTo(assoc, result string) client.AssocFilter {
	return client.AssocFilter{AssocClass: assoc, ResultClass: result}
}

// serviceChecks verify the service-style profiles: a service with its keys
// and its capabilities via CIM_ElementCapabilities.
func serviceChecks() []Check {
	return []Check{
		serviceCheck("DSP1081", "CIM_VirtualSystemMigrationService", "CIM_VirtualSystemMigrationCapabilities"),
		serviceCheck("Snapshot", "CIM_VirtualSystemSnapshotService", "CIM_VirtualSystemSnapshotServiceCapabilities"),
		serviceCheck("DSP1054", "CIM_IndicationService", "CIM_IndicationServiceCapabilities"),
	}
}

func serviceCheck(dsp, service, caps string) Check {
	return Check{Profile: dsp, Name: service + " with its capabilities",
		Requirement: dsp + ": the central " + service + " has its keys and a " + caps + " via CIM_ElementCapabilities",
		Run: func(ctx context.Context, t *T) {
			for _, s := range central(t, dsp, 4) {
				inst, err := t.C.GetInstance(ctx, s)
				if err != nil {
					t.Errorf("GetInstance %s: %v", s, err)
					continue
				}
				requireProps(t, client.Object{Path: s, Instance: inst}, "SystemCreationClassName", "SystemName", "CreationClassName", "Name")
				bothWays(ctx, t, s, "CIM_ElementCapabilities", caps, 1)
			}
		}}
}
