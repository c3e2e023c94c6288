package interop

import (
	"context"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/cim"
	"github.com/ferrum-virt/ferrum/providers/provkit"
)

// instancesFunc serves the instances a function computes.
type instancesFunc = provkit.Func

const (
	hostClass    = "CIM_ComputerSystem"
	managerClass = "Ferrum_ObjectManager"
	managerName  = "Ferrum"
)

func (p *Provider) objectManagerPath() cim.ObjectPath {
	return cim.NewInstancePath(cimom.InteropNamespace, managerClass,
		cim.KeyBinding{Name: "SystemCreationClassName", Value: cim.String(hostClass)},
		cim.KeyBinding{Name: "SystemName", Value: cim.String(p.cfg.Host)},
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String(managerClass)},
		cim.KeyBinding{Name: "Name", Value: cim.String(managerName)})
}

// hosted returns an instance of class with the four keys of a service or
// access point hosted on the management server.
func (p *Provider) hosted(class, name string) *cim.Instance {
	return cim.NewInstance(class).
		Set("SystemCreationClassName", cim.String(hostClass)).
		Set("SystemName", cim.String(p.cfg.Host)).
		Set("CreationClassName", cim.String(class)).
		Set("Name", cim.String(name))
}

func (p *Provider) objectManagers(context.Context, string) ([]*cim.Instance, error) {
	om := p.hosted(managerClass, managerName).
		Set("ElementName", cim.String("Ferrum")).
		Set("Description", cim.String("Ferrum CIM object manager "+p.cfg.Version)).
		Set("EnabledState", cim.Uint16(2)).
		Set("RequestedState", cim.Uint16(12)).
		Set("EnabledDefault", cim.Uint16(2)).
		Set("OperationalStatus", cim.Uint16Array(2)).
		Set("HealthState", cim.Uint16(5)).
		Set("Started", cim.Bool(true)).
		Set("GatherStatisticalData", cim.Bool(false))
	return []*cim.Instance{om}, nil
}

func (p *Provider) namespacePath(name string) cim.ObjectPath {
	return cim.NewInstancePath(cimom.InteropNamespace, "Ferrum_Namespace",
		cim.KeyBinding{Name: "SystemCreationClassName", Value: cim.String(hostClass)},
		cim.KeyBinding{Name: "SystemName", Value: cim.String(p.cfg.Host)},
		cim.KeyBinding{Name: "ObjectManagerCreationClassName", Value: cim.String(managerClass)},
		cim.KeyBinding{Name: "ObjectManagerName", Value: cim.String(managerName)},
		cim.KeyBinding{Name: "CreationClassName", Value: cim.String("Ferrum_Namespace")},
		cim.KeyBinding{Name: "Name", Value: cim.String(name)})
}

func (p *Provider) namespaces(context.Context, string) ([]*cim.Instance, error) {
	var out []*cim.Instance
	for _, ns := range p.d.Namespaces() {
		in := cim.NewInstance("Ferrum_Namespace")
		for _, k := range p.namespacePath(ns).Keys {
			in.Set(k.Name, k.Value)
		}
		in.Set("ElementName", cim.String(ns)).
			Set("ClassInfo", cim.Uint16(0)).
			Set("ClassType", cim.Uint16(2)).
			Set("ClassTypeVersion", cim.String("2.49.0"))
		out = append(out, in)
	}
	return out, nil
}

func (p *Provider) namespaceInManager(ctx context.Context, ns string) ([]*cim.Instance, error) {
	var out []*cim.Instance
	for _, name := range p.d.Namespaces() {
		out = append(out, cim.NewInstance("Ferrum_NamespaceInManager").
			Set("Antecedent", cim.Ref(p.objectManagerPath())).
			Set("Dependent", cim.Ref(p.namespacePath(name))))
	}
	return out, nil
}

const (
	cimxmlMechanism = "Ferrum CIM-XML"
	wsmanMechanism  = "Ferrum WS-Management"
)

func (p *Provider) cimxmlMechanisms(context.Context, string) ([]*cim.Instance, error) {
	m := p.hosted("Ferrum_CIMXMLCommunicationMechanism", cimxmlMechanism).
		Set("ElementName", cim.String("CIM-XML over HTTP at /cimom")).
		Set("CommunicationMechanism", cim.Uint16(2)).
		Set("Version", cim.String("1.4.0")).
		Set("CIMXMLProtocolVersion", cim.Uint16(1)).
		Set("CIMValidated", cim.Bool(false)).
		Set("MultipleOperationsSupported", cim.Bool(false)).
		// Basic Read, Basic Write, Schema Manipulation, Instance Manipulation,
		// Association Traversal, Query Execution, Qualifier Declaration,
		// Pulled Read, Pulled Query Execution.
		Set("FunctionalProfilesSupported", cim.Uint16Array(2, 3, 4, 5, 6, 7, 8, 10, 12)).
		Set("AuthenticationMechanismsSupported", cim.Uint16Array(3)).
		Set("AdvertiseTypes", cim.Uint16Array(2)).
		Set("EnabledState", cim.Uint16(2)).
		Set("OperationalStatus", cim.Uint16Array(2))
	return []*cim.Instance{m}, nil
}

func (p *Provider) wsmanMechanisms(context.Context, string) ([]*cim.Instance, error) {
	m := p.hosted("Ferrum_WSManagementCommunicationMechanism", wsmanMechanism).
		Set("ElementName", cim.String("WS-Management over HTTP at /wsman")).
		Set("CommunicationMechanism", cim.Uint16(4)).
		Set("Version", cim.String("1.2.0")).
		Set("MultipleOperationsSupported", cim.Bool(false)).
		Set("AuthenticationMechanismsSupported", cim.Uint16Array(3)).
		Set("AdvertiseTypes", cim.Uint16Array(4)).
		Set("EnabledState", cim.Uint16(2)).
		Set("OperationalStatus", cim.Uint16Array(2))
	return []*cim.Instance{m}, nil
}

func (p *Provider) commMechanismForManager(ctx context.Context, ns string) ([]*cim.Instance, error) {
	var out []*cim.Instance
	for class, name := range map[string]string{
		"Ferrum_CIMXMLCommunicationMechanism":       cimxmlMechanism,
		"Ferrum_WSManagementCommunicationMechanism": wsmanMechanism,
	} {
		mech := p.hosted(class, name)
		path := cim.NewInstancePath(cimom.InteropNamespace, class)
		for _, k := range []string{"SystemCreationClassName", "SystemName", "CreationClassName", "Name"} {
			v, _ := mech.Get(k)
			path.Keys = append(path.Keys, cim.KeyBinding{Name: k, Value: v})
		}
		out = append(out, cim.NewInstance("Ferrum_CommMechanismForManager").
			Set("Antecedent", cim.Ref(p.objectManagerPath())).
			Set("Dependent", cim.Ref(path)))
	}
	return out, nil
}

func profileInstanceID(id string) string { return "Ferrum:" + id }

func (p *Provider) profilePath(id string) cim.ObjectPath {
	return cim.NewInstancePath(cimom.InteropNamespace, "Ferrum_RegisteredProfile",
		cim.KeyBinding{Name: "InstanceID", Value: cim.String(profileInstanceID(id))})
}

func (p *Provider) registeredProfiles(context.Context, string) ([]*cim.Instance, error) {
	var out []*cim.Instance
	for _, prof := range p.Profiles() {
		out = append(out, cim.NewInstance("Ferrum_RegisteredProfile").
			Set("InstanceID", cim.String(profileInstanceID(prof.ID))).
			Set("RegisteredOrganization", cim.Uint16(prof.Organization)).
			Set("RegisteredName", cim.String(prof.Name)).
			Set("RegisteredVersion", cim.String(prof.Version)).
			Set("ElementName", cim.String(prof.Name+" "+prof.Version)).
			Set("AdvertiseTypes", cim.Uint16Array(2)))
	}
	return out, nil
}

func (p *Provider) referencedProfiles(context.Context, string) ([]*cim.Instance, error) {
	var out []*cim.Instance
	for _, prof := range p.Profiles() {
		for _, ref := range prof.References {
			if _, ok := p.profile(ref); !ok {
				continue
			}
			out = append(out, cim.NewInstance("Ferrum_ReferencedProfile").
				Set("Antecedent", cim.Ref(p.profilePath(ref))).
				Set("Dependent", cim.Ref(p.profilePath(prof.ID))))
		}
	}
	return out, nil
}

func (p *Provider) conformsToProfile(ctx context.Context, _ string) ([]*cim.Instance, error) {
	var out []*cim.Instance
	for _, prof := range p.Profiles() {
		if prof.Central == nil {
			continue
		}
		central, err := prof.Central(ctx)
		if err != nil {
			return nil, err
		}
		for _, c := range central {
			out = append(out, cim.NewInstance("Ferrum_ElementConformsToProfile").
				Set("ConformantStandard", cim.Ref(p.profilePath(prof.ID))).
				Set("ManagedElement", cim.Ref(c)))
		}
	}
	return out, nil
}

// profileMethods serves GetCentralInstances.
type profileMethods struct {
	instancesFunc
	p *Provider
}

func (pm profileMethods) InvokeMethod(ctx context.Context, _ string, path cim.ObjectPath, m *cim.Method, _ cim.Params) (cim.Value, cim.Params, error) {
	if !strings.EqualFold(m.Name, "GetCentralInstances") {
		return cim.Value{}, nil, cim.Errorf(cim.ErrMethodNotAvailable, "method %s is not implemented", m.Name)
	}
	id, _ := path.Key("InstanceID")
	prof, ok := pm.p.profile(strings.TrimPrefix(id.Str(), "Ferrum:"))
	if !ok || !path.IsInstance() {
		return cim.Value{}, nil, cim.Errorf(cim.ErrNotFound, "no registered profile %s", path)
	}
	var central []cim.ObjectPath
	if prof.Central != nil {
		var err error
		if central, err = prof.Central(ctx); err != nil {
			return cim.Value{}, nil, err
		}
	}
	return cim.Uint8(0), cim.Params{{Name: "CentralInstances", Value: cim.RefArray(central...)}}, nil
}
