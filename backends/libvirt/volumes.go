package libvirt

import (
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// volumeXML is the part of libvirt's volume XML Ferrum reads and writes.
type volumeXML struct {
	XMLName      xml.Name      `xml:"volume"`
	Name         string        `xml:"name"`
	Capacity     sizeXML       `xml:"capacity"`
	Allocation   *sizeXML      `xml:"allocation"`
	Target       *volTargetXML `xml:"target"`
	BackingStore *volTargetXML `xml:"backingStore"`
}

type volTargetXML struct {
	Path   string     `xml:"path,omitempty"`
	Format *formatXML `xml:"format"`
}

type formatXML struct {
	Type string `xml:"type,attr"`
}

func (x volumeXML) path() string {
	if x.Target == nil {
		return ""
	}
	return x.Target.Path
}

func (x volumeXML) format() string {
	if x.Target == nil || x.Target.Format == nil {
		return backends.FormatRaw
	}
	return x.Target.Format.Type
}

// newVolumeXML renders a volume to create: sparse (allocation 0), optionally
// a qcow2 overlay on backing.
func newVolumeXML(name, format string, capacity uint64, backing *volumeXML) string {
	zero := byteSize(0)
	x := volumeXML{Name: name, Capacity: byteSize(capacity), Allocation: &zero,
		Target: &volTargetXML{Format: &formatXML{Type: format}}}
	if backing != nil {
		x.BackingStore = &volTargetXML{Path: backing.path(), Format: &formatXML{Type: backing.format()}}
	}
	b, _ := xml.Marshal(x)
	return string(b)
}

// volumeRaw looks a volume up and reads its document.
func (h *Host) volumeRaw(ref backends.VolumeRef) (golibvirt.StorageVol, volumeXML, error) {
	var x volumeXML
	p, err := h.l.StoragePoolLookupByName(ref.Pool)
	if err != nil {
		return golibvirt.StorageVol{}, x, wrap(err, "pool of volume %s on %s", ref, h)
	}
	v, err := h.l.StorageVolLookupByName(p, ref.Name)
	if err != nil {
		return v, x, wrap(err, "volume %s on %s", ref, h)
	}
	text, err := h.l.StorageVolGetXMLDesc(v, 0)
	if err != nil {
		return v, x, wrap(err, "get xml of volume %s on %s", ref, h)
	}
	if err := xml.Unmarshal([]byte(text), &x); err != nil {
		return v, x, fmt.Errorf("parse volume %s on %s: %w", ref, h, err)
	}
	return v, x, nil
}

// volEntry is one volume found by a scan of the host's active pools.
type volEntry struct {
	ref backends.VolumeRef
	x   volumeXML
}

// allVolumes reads every volume of the host's active pools, for backing
// chains that may cross pools.
func (h *Host) allVolumes() ([]volEntry, error) {
	pools, _, err := h.l.ConnectListAllStoragePools(1, golibvirt.ConnectListStoragePoolsActive)
	if err != nil {
		return nil, wrap(err, "list pools on %s", h)
	}
	var out []volEntry
	for _, p := range pools {
		vols, _, err := h.l.StoragePoolListAllVolumes(p, 1, 0)
		if err != nil {
			continue // stopped meanwhile
		}
		for _, v := range vols {
			text, err := h.l.StorageVolGetXMLDesc(v, 0)
			if err != nil {
				continue
			}
			var x volumeXML
			if xml.Unmarshal([]byte(text), &x) == nil {
				out = append(out, volEntry{backends.VolumeRef{Pool: p.Name, Name: v.Name}, x})
			}
		}
	}
	return out, nil
}

// volumeView reports a volume with its backing, dependants and users.
func (h *Host) volumeView(ref backends.VolumeRef, x volumeXML, all []volEntry, defs []definition) backends.Volume {
	v := backends.Volume{Ref: ref, Path: x.path(), Format: x.format()}
	v.Capacity, _ = x.Capacity.bytes("bytes")
	if x.Allocation != nil {
		v.Allocation, _ = x.Allocation.bytes("bytes")
	}
	if b := x.BackingStore; b != nil && b.Path != "" {
		if bv, err := h.l.StorageVolLookupByPath(b.Path); err == nil {
			v.Backing = &backends.VolumeRef{Pool: bv.Pool, Name: bv.Name}
		}
	}
	for _, e := range all {
		if e.x.BackingStore != nil && e.x.BackingStore.Path == v.Path && v.Path != "" {
			v.Dependants++
		}
	}
	v.UsedBy = usersOf(ref, v.Path, defs)
	return v
}

// usersOf lists the VMs whose definitions refer to a volume, by reference or
// by path.
func usersOf(ref backends.VolumeRef, path string, defs []definition) []string {
	var out []string
	for _, d := range defs {
		if slices.ContainsFunc(d.spec.Disks, func(disk backends.DiskSpec) bool { return refersTo(disk, ref, path) }) {
			out = append(out, d.spec.UUID)
		}
	}
	return out
}

func refersTo(disk backends.DiskSpec, ref backends.VolumeRef, path string) bool {
	return (disk.Volume != nil && *disk.Volume == ref) || (path != "" && disk.Path == path)
}

// volume reports one volume, scanning the host for its dependants and users.
func (h *Host) volume(ref backends.VolumeRef) (golibvirt.StorageVol, backends.Volume, error) {
	v, x, err := h.volumeRaw(ref)
	if err != nil {
		return v, backends.Volume{}, err
	}
	all, err := h.allVolumes()
	if err != nil {
		return v, backends.Volume{}, err
	}
	defs, err := h.definitions()
	if err != nil {
		return v, backends.Volume{}, err
	}
	return v, h.volumeView(ref, x, all, defs), nil
}

// ListVolumes lists a pool's volumes by name.
func (s *storageAPI) ListVolumes(ctx context.Context, pool string) ([]backends.Volume, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return nil, err
	}
	if _, err := h.l.StoragePoolLookupByName(pool); err != nil {
		return nil, wrap(err, "pool %q on %s", pool, h)
	}
	all, err := h.allVolumes()
	if err != nil {
		return nil, err
	}
	defs, err := h.definitions()
	if err != nil {
		return nil, err
	}
	var out []backends.Volume
	for _, e := range all {
		if e.ref.Pool == pool {
			out = append(out, h.volumeView(e.ref, e.x, all, defs))
		}
	}
	slices.SortFunc(out, func(a, b backends.Volume) int { return strings.Compare(a.Ref.Name, b.Ref.Name) })
	return out, nil
}

// GetVolume reports one volume.
func (s *storageAPI) GetVolume(ctx context.Context, ref backends.VolumeRef) (backends.Volume, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Volume{}, err
	}
	_, v, err := h.volume(ref)
	return v, err
}

// CreateVolume creates a sparse volume, qcow2 unless spec says raw.
func (s *storageAPI) CreateVolume(ctx context.Context, pool string, spec backends.VolumeSpec) (backends.Volume, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Volume{}, err
	}
	if spec.Format == "" {
		spec.Format = backends.FormatQCOW2
	}
	if err := checkVolumeSpec(spec); err != nil {
		return backends.Volume{}, fmt.Errorf("create volume in %q on %s: %w", pool, h, err)
	}
	p, err := h.l.StoragePoolLookupByName(pool)
	if err != nil {
		return backends.Volume{}, wrap(err, "pool %q on %s", pool, h)
	}
	if _, err := h.l.StorageVolLookupByName(p, spec.Name); err == nil {
		return backends.Volume{}, fmt.Errorf("create volume %s/%s on %s: name in use: %w", pool, spec.Name, h, backends.ErrConflict)
	}
	if _, err := h.l.StorageVolCreateXML(p, newVolumeXML(spec.Name, spec.Format, spec.Capacity, nil), 0); err != nil {
		return backends.Volume{}, wrap(err, "create volume %s/%s on %s", pool, spec.Name, h)
	}
	_, v, err := h.volume(backends.VolumeRef{Pool: pool, Name: spec.Name})
	return v, err
}

func checkVolumeSpec(spec backends.VolumeSpec) error {
	switch {
	case spec.Name == "" || strings.ContainsAny(spec.Name, "/\x00"):
		return fmt.Errorf("volume name %q: %w", spec.Name, backends.ErrInvalidArgument)
	case spec.Capacity == 0:
		return fmt.Errorf("volume %q without capacity: %w", spec.Name, backends.ErrInvalidArgument)
	case spec.Format != backends.FormatQCOW2 && spec.Format != backends.FormatRaw:
		return fmt.Errorf("volume format %q: %w", spec.Format, backends.ErrInvalidArgument)
	}
	return nil
}
