package indication

import (
	"slices"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Indication classes (DSP1054 §7; digest §3 DSP1054).
const (
	ClassInstCreation     = "CIM_InstCreation"
	ClassInstDeletion     = "CIM_InstDeletion"
	ClassInstModification = "CIM_InstModification"
	ClassAlertIndication  = "CIM_AlertIndication"
)

// PerceivedSeverity values of CIM_Indication and CIM_AlertIndication.
const (
	SeverityUnknown     uint16 = 0
	SeverityInformation uint16 = 2
	SeverityDegraded    uint16 = 3
	SeverityMinor       uint16 = 4
	SeverityMajor       uint16 = 5
	SeverityCritical    uint16 = 6
	SeverityFatal       uint16 = 7
)

// AlertType values of CIM_AlertIndication.
const (
	AlertOther             uint16 = 1
	AlertCommunications    uint16 = 2
	AlertQualityOfService  uint16 = 3
	AlertProcessingError   uint16 = 4
	AlertDeviceAlert       uint16 = 5
	AlertEnvironmental     uint16 = 6
	AlertModelChange       uint16 = 7
	AlertSecurity          uint16 = 8
	ProbableCauseUnknown   uint16 = 0
	ProbableCauseOther     uint16 = 1
	ProbableCauseQueueSize uint16 = 40 // "Queue Size Exceeded" in the ProbableCause ValueMap
)

// InstCreation returns a CIM_InstCreation for source, created at path in
// namespace ns. Publish fills in IndicationIdentifier and IndicationTime.
func InstCreation(ns string, source *cim.Instance, path cim.ObjectPath) *cim.Instance {
	return instIndication(ClassInstCreation, ns, source, path)
}

// InstDeletion returns a CIM_InstDeletion for source, deleted from path.
func InstDeletion(ns string, source *cim.Instance, path cim.ObjectPath) *cim.Instance {
	return instIndication(ClassInstDeletion, ns, source, path)
}

// InstModification returns a CIM_InstModification for the instance at path,
// which changed from prev to cur. ChangedPropertyNames lists the properties
// whose values differ, in cur's order, then those cur no longer has.
func InstModification(ns string, prev, cur *cim.Instance, path cim.ObjectPath) *cim.Instance {
	ind := instIndication(ClassInstModification, ns, cur, path)
	ind.Set("PreviousInstance", cim.Embedded(prev.Clone()))
	ind.Set("ChangedPropertyNames", cim.StringArray(ChangedProperties(prev, cur)...))
	return ind
}

// ChangedProperties returns the names of the properties whose values differ
// between prev and cur.
func ChangedProperties(prev, cur *cim.Instance) []string {
	var names []string
	for _, pv := range cur.Properties {
		old, ok := prev.Get(pv.Name)
		if !ok || !cim.Equal(old, pv.Value) {
			names = append(names, pv.Name)
		}
	}
	for _, pv := range prev.Properties {
		if _, ok := cur.Get(pv.Name); !ok && !slices.ContainsFunc(names, func(n string) bool { return strings.EqualFold(n, pv.Name) }) {
			names = append(names, pv.Name)
		}
	}
	return names
}

func instIndication(class, ns string, source *cim.Instance, path cim.ObjectPath) *cim.Instance {
	ind := cim.NewInstance(class)
	ind.Set("SourceInstance", cim.Embedded(source.Clone()))
	if path.Namespace == "" {
		path.Namespace = ns
	}
	ind.Set("SourceInstanceModelPath", cim.String(path.String()))
	if path.Host != "" {
		ind.Set("SourceInstanceHost", cim.String(path.Host))
	}
	return ind
}

// An Alert describes a CIM_AlertIndication.
type Alert struct {
	AlertType         uint16 // AlertOther…AlertSecurity (required)
	OtherAlertType    string
	PerceivedSeverity uint16
	ProbableCause     uint16 // required; ProbableCauseUnknown when not known
	Description       string
	Message           string
	MessageID         string
	// Element is the path of the alerting managed element; its zero value
	// leaves AlertingManagedElement out.
	Element cim.ObjectPath
	// OwningEntity defaults to "Ferrum".
	OwningEntity string
}

// Instance returns the CIM_AlertIndication for a. AlertingManagedElement
// is the element's path in CIMObjectPath format (AlertingElementFormat 2).
func (a Alert) Instance() *cim.Instance {
	ind := cim.NewInstance(ClassAlertIndication)
	ind.Set("AlertType", cim.Uint16(a.AlertType))
	if a.OtherAlertType != "" {
		ind.Set("OtherAlertType", cim.String(a.OtherAlertType))
	}
	ind.Set("PerceivedSeverity", cim.Uint16(a.PerceivedSeverity))
	ind.Set("ProbableCause", cim.Uint16(a.ProbableCause))
	for name, s := range map[string]string{"Description": a.Description, "Message": a.Message, "MessageID": a.MessageID} {
		if s != "" {
			ind.Set(name, cim.String(s))
		}
	}
	if a.Element.ClassName != "" {
		ind.Set("AlertingManagedElement", cim.String(a.Element.String()))
		ind.Set("AlertingElementFormat", cim.Uint16(2))
	}
	owner := a.OwningEntity
	if owner == "" {
		owner = "Ferrum"
	}
	ind.Set("OwningEntity", cim.String(owner))
	return ind
}
