package jobs

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/auth"
	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// Class names the provider serves besides the job class.
const (
	CapabilitiesClass = "Ferrum_JobCapabilities"
	OwningClass       = "Ferrum_OwningJobElement"
	AffectedClass     = "Ferrum_AffectedJobElement"
	// CapabilitiesID is the InstanceID of the one Ferrum_JobCapabilities.
	CapabilitiesID = "Ferrum:JobCapabilities"
)

// Register serves m's jobs through d in m's namespace: the job class with
// its methods, Ferrum_JobCapabilities and the two job associations.
func Register(d *cimom.Dispatcher, m *Manager) error {
	ns := m.cfg.Namespace
	for _, c := range []string{m.cfg.Class, CapabilitiesClass, OwningClass, AffectedClass} {
		if _, err := d.Repo.Class(ns, c); err != nil {
			return fmt.Errorf("jobs provider: class %s: %w", c, err)
		}
	}
	d.Providers.Handle(ns, m.cfg.Class, jobProvider{m})
	d.Providers.Handle(ns, CapabilitiesClass, capsProvider{m})
	d.Providers.Handle(ns, OwningClass, assocProvider{m: m, owning: true})
	d.Providers.Handle(ns, AffectedClass, assocProvider{m: m})
	return nil
}

// CapabilitiesPath is the path of Ferrum_JobCapabilities in m's namespace;
// services that start jobs link it with CIM_ElementCapabilities.
func (m *Manager) CapabilitiesPath() cim.ObjectPath {
	return cim.NewInstancePath(m.cfg.Namespace, CapabilitiesClass,
		cim.KeyBinding{Name: "InstanceID", Value: cim.String(CapabilitiesID)})
}

// Visible reports whether the principal of ctx may see j: its owner, an
// administrator, or an internal call without a principal.
func Visible(ctx context.Context, j Job) bool {
	p, ok := auth.PrincipalFrom(ctx)
	return !ok || p.HasRole(auth.RoleAdmin) || p.User == j.Owner
}

// visibleJobs returns the jobs the principal of ctx may see.
func (m *Manager) visibleJobs(ctx context.Context) []Job {
	all := m.List()
	out := all[:0]
	for _, j := range all {
		if Visible(ctx, j) {
			out = append(out, j)
		}
	}
	return out
}

// lookup finds the job named by path, if the principal may see it.
func (m *Manager) lookup(ctx context.Context, path cim.ObjectPath) (Job, error) {
	id, _ := path.Key("InstanceID")
	j, ok := m.Get(id.Str())
	if !ok || !Visible(ctx, j) {
		return Job{}, cim.Errorf(cim.ErrNotFound, "no job %s", id.Str())
	}
	return j, nil
}

// jobProvider serves the job class.
type jobProvider struct{ m *Manager }

func (p jobProvider) EnumerateInstances(ctx context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	now := p.m.now()
	for _, j := range p.m.visibleJobs(ctx) {
		if !yield(j.instance(p.m.cfg.Class, now)) {
			return nil
		}
	}
	return nil
}

func (p jobProvider) GetInstance(ctx context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	j, err := p.m.lookup(ctx, path)
	if err != nil {
		return nil, err
	}
	return j.instance(p.m.cfg.Class, p.m.now()), nil
}

// ModifyInstance changes DeleteOnCompletion and TimeBeforeRemoval, the
// properties of a job a client may write.
func (p jobProvider) ModifyInstance(ctx context.Context, _ string, _ *cim.Class, path cim.ObjectPath, changes *cim.Instance) error {
	j, err := p.m.lookup(ctx, path)
	if err != nil {
		return err
	}
	del, keep := j.DeleteOnCompletion, j.TimeBeforeRemoval
	for _, pv := range changes.Properties {
		switch {
		case strings.EqualFold(pv.Name, "DeleteOnCompletion") && !pv.Value.IsNull():
			del, _ = pv.Value.AsBool()
		case strings.EqualFold(pv.Name, "TimeBeforeRemoval") && !pv.Value.IsNull():
			d, _ := pv.Value.AsDatetime()
			if keep, err = d.Duration(); err != nil {
				return cim.Errorf(cim.ErrInvalidParameter, "TimeBeforeRemoval must be an interval: %v", err)
			}
		default:
			return cim.Errorf(cim.ErrNotSupported, "property %s of a job cannot be modified; DeleteOnCompletion and TimeBeforeRemoval can", pv.Name)
		}
	}
	return p.m.SetRetention(ctx, j.ID, del, keep)
}

// DeleteInstance removes a finished job.
func (p jobProvider) DeleteInstance(ctx context.Context, _ string, _ *cim.Class, path cim.ObjectPath) error {
	j, err := p.m.lookup(ctx, path)
	if err != nil {
		return err
	}
	switch err := p.m.Delete(ctx, j.ID); {
	case errors.Is(err, ErrNotFinished):
		return cim.Errorf(cim.ErrFailed, "job %s is %s; terminate it before deleting it", j.ID, j.State)
	case errors.Is(err, ErrNotFound):
		return cim.Errorf(cim.ErrNotFound, "no job %s", j.ID)
	default:
		return err
	}
}

// capsProvider serves the one Ferrum_JobCapabilities.
type capsProvider struct{ m *Manager }

func (p capsProvider) instance() *cim.Instance {
	in := cim.NewInstance(CapabilitiesClass).
		Set("InstanceID", cim.String(CapabilitiesID)).
		Set("ElementName", cim.String("Ferrum job control")).
		Set("DeleteJobSupported", cim.Bool(true)).
		Set("RequestedStatesSupported", cim.Uint16Array(uint16(stateTerminate), uint16(stateKill)))
	if p.m.cfg.SweepInterval > 0 {
		in.Set("CleanupInterval", cim.DateTimeValue(cim.NewInterval(p.m.cfg.SweepInterval)))
	}
	return in
}

func (p capsProvider) EnumerateInstances(_ context.Context, _ string, _ *cim.Class, yield func(*cim.Instance) bool) error {
	yield(p.instance())
	return nil
}

func (p capsProvider) GetInstance(_ context.Context, _ string, path cim.ObjectPath, _ *cim.Class) (*cim.Instance, error) {
	if id, _ := path.Key("InstanceID"); id.Str() != CapabilitiesID {
		return nil, cim.Errorf(cim.ErrNotFound, "no job capabilities %s", id.Str())
	}
	return p.instance(), nil
}
