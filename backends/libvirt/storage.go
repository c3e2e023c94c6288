package libvirt

import (
	"context"
	"encoding/xml"
	"fmt"
	"net"
	"slices"
	"strings"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// Pool types beyond the two every backend knows.
const (
	poolFS      = "fs"      // a local block device with a file system, mounted
	poolLogical = "logical" // an LVM volume group; Source names it
	poolISCSI   = "iscsi"   // an iSCSI target; Source is host[:port]/iqn
)

// sharedPoolTypes are pools other hosts can see with the same Source.
var sharedPoolTypes = []string{backends.PoolNetFS, poolISCSI, "rbd", "gluster", "iscsi-direct", "scsi", "mpath"}

// poolXML is the part of libvirt's pool XML (formatstorage.html) Ferrum
// reads and writes.
type poolXML struct {
	XMLName xml.Name       `xml:"pool"`
	Type    string         `xml:"type,attr"`
	Name    string         `xml:"name"`
	Source  *poolSourceXML `xml:"source"`
	Target  *pathXML       `xml:"target"`
}

type poolSourceXML struct {
	Hosts   []hostXML  `xml:"host"`
	Dir     *pathAttr  `xml:"dir"`
	Devices []pathAttr `xml:"device"`
	Name    string     `xml:"name,omitempty"`
}

type pathAttr struct {
	Path string `xml:"path,attr"`
}

type pathXML struct {
	Path string `xml:"path"`
}

// poolXMLOf renders a pool spec; it fails with ErrInvalidArgument when the
// spec lacks what its type needs.
func poolXMLOf(spec backends.PoolSpec) (poolXML, error) {
	x := poolXML{Type: spec.Type, Name: spec.Name}
	if spec.Path != "" {
		x.Target = &pathXML{Path: spec.Path}
	}
	need := func(what string, ok bool) error {
		if !ok {
			return fmt.Errorf("%s pool %q needs %s: %w", spec.Type, spec.Name, what, backends.ErrInvalidArgument)
		}
		return nil
	}
	switch spec.Type {
	case backends.PoolDir:
		return x, need("a path", spec.Path != "")
	case backends.PoolNetFS:
		host, dir, ok := strings.Cut(spec.Source, ":")
		x.Source = &poolSourceXML{Hosts: []hostXML{{Name: host}}, Dir: &pathAttr{Path: dir}}
		return x, need("a path and a server:/export source", spec.Path != "" && ok && host != "" && dir != "")
	case poolFS:
		x.Source = &poolSourceXML{Devices: []pathAttr{{Path: spec.Source}}}
		return x, need("a path and a device source", spec.Path != "" && spec.Source != "")
	case poolLogical:
		x.Source = &poolSourceXML{Name: spec.Source}
		x.Target = &pathXML{Path: "/dev/" + spec.Source}
		return x, need("a volume group source", spec.Source != "" && !strings.Contains(spec.Source, "/"))
	case poolISCSI:
		addr, iqn, ok := strings.Cut(spec.Source, "/")
		h := hostXML{Name: addr}
		if host, port, err := net.SplitHostPort(addr); err == nil {
			h = hostXML{Name: host, Port: port}
		}
		x.Source = &poolSourceXML{Hosts: []hostXML{h}, Devices: []pathAttr{{Path: iqn}}}
		x.Target = &pathXML{Path: "/dev/disk/by-path"}
		return x, need("a host[:port]/iqn source", ok && addr != "" && iqn != "")
	}
	return x, fmt.Errorf("pool type %q: %w", spec.Type, backends.ErrUnsupported)
}

// poolSpecOf reads a pool definition back into a spec.
func poolSpecOf(x poolXML) backends.PoolSpec {
	spec := backends.PoolSpec{Name: x.Name, Type: x.Type}
	if x.Target != nil {
		spec.Path = x.Target.Path
	}
	src := x.Source
	if src == nil {
		return spec
	}
	host := ""
	if len(src.Hosts) > 0 {
		host = src.Hosts[0].Name
		if src.Hosts[0].Port != "" {
			host = net.JoinHostPort(host, src.Hosts[0].Port)
		}
	}
	switch x.Type {
	case backends.PoolNetFS:
		if src.Dir != nil {
			spec.Source = host + ":" + src.Dir.Path
		}
	case poolFS:
		if len(src.Devices) > 0 {
			spec.Source = src.Devices[0].Path
		}
	case poolLogical:
		spec.Source = src.Name
	case poolISCSI:
		if len(src.Devices) > 0 {
			spec.Source = host + "/" + src.Devices[0].Path
		}
	}
	return spec
}

func (s *storageAPI) host() *Host { return (*Host)(s) }

// pool reports a pool with its space and volume count.
func (h *Host) pool(p golibvirt.StoragePool) (backends.Pool, error) {
	text, err := h.l.StoragePoolGetXMLDesc(p, 0)
	if err != nil {
		return backends.Pool{}, wrap(err, "get xml of pool %s on %s", p.Name, h)
	}
	var x poolXML
	if err := xml.Unmarshal([]byte(text), &x); err != nil {
		return backends.Pool{}, fmt.Errorf("parse pool %s on %s: %w", p.Name, h, err)
	}
	state, capacity, alloc, avail, err := h.l.StoragePoolGetInfo(p)
	if err != nil {
		return backends.Pool{}, wrap(err, "get info of pool %s on %s", p.Name, h)
	}
	out := backends.Pool{PoolSpec: poolSpecOf(x), Allocation: alloc, Available: avail,
		Shared: slices.Contains(sharedPoolTypes, x.Type)}
	out.Capacity = capacity
	if state == uint8(golibvirt.StoragePoolRunning) {
		n, err := h.l.StoragePoolNumOfVolumes(p)
		if err != nil {
			return backends.Pool{}, wrap(err, "count volumes of pool %s on %s", p.Name, h)
		}
		out.Volumes = int(n)
	}
	return out, nil
}

// ListPools lists the host's pools by name.
func (s *storageAPI) ListPools(ctx context.Context) ([]backends.Pool, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return nil, err
	}
	pools, _, err := h.l.ConnectListAllStoragePools(1, 0)
	if err != nil {
		return nil, wrap(err, "list pools on %s", h)
	}
	out := make([]backends.Pool, 0, len(pools))
	for _, p := range pools {
		v, err := h.pool(p)
		if isCode(err, golibvirt.ErrNoStoragePool) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	slices.SortFunc(out, func(a, b backends.Pool) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// GetPool reports one pool.
func (s *storageAPI) GetPool(ctx context.Context, name string) (backends.Pool, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Pool{}, err
	}
	p, err := h.l.StoragePoolLookupByName(name)
	if err != nil {
		return backends.Pool{}, wrap(err, "pool %q on %s", name, h)
	}
	return h.pool(p)
}

// CreatePool defines a pool, builds a dir or netfs target directory, starts
// it and marks it autostart. A dir pool that cannot start is removed again;
// a pool on external storage (fs, logical, iscsi, netfs) whose source is not
// reachable yet stays defined and inactive, logged, for the administrator
// to fix.
func (s *storageAPI) CreatePool(ctx context.Context, spec backends.PoolSpec) (backends.Pool, error) {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return backends.Pool{}, err
	}
	if spec.Name == "" || strings.ContainsAny(spec.Name, "/\x00") {
		return backends.Pool{}, fmt.Errorf("pool name %q: %w", spec.Name, backends.ErrInvalidArgument)
	}
	if !slices.Contains(h.static.Caps.PoolTypes, spec.Type) {
		return backends.Pool{}, fmt.Errorf("pool type %q on %s: %w", spec.Type, h, backends.ErrUnsupported)
	}
	x, err := poolXMLOf(spec)
	if err != nil {
		return backends.Pool{}, err
	}
	if _, err := h.l.StoragePoolLookupByName(spec.Name); err == nil {
		return backends.Pool{}, fmt.Errorf("create pool %q on %s: name in use: %w", spec.Name, h, backends.ErrConflict)
	}
	text, _ := xml.Marshal(x)
	p, err := h.l.StoragePoolDefineXML(string(text), 0)
	if err != nil {
		return backends.Pool{}, wrap(err, "define pool %q on %s", spec.Name, h)
	}
	if err := h.startPool(p, spec.Type); err != nil {
		if spec.Type == backends.PoolDir {
			_ = h.l.StoragePoolUndefine(p)
			return backends.Pool{}, err
		}
		h.log.Warn("libvirt pool defined but not started", "host", h.static.Hostname, "pool", spec.Name, "err", err)
	}
	h.log.Debug("libvirt create pool", "op", "create-pool", "host", h.static.Hostname, "pool", spec.Name)
	return h.pool(p)
}

// startPool builds a directory target when the type has one, starts the
// pool and sets it to start with the daemon.
func (h *Host) startPool(p golibvirt.StoragePool, typ string) error {
	if typ == backends.PoolDir || typ == backends.PoolNetFS {
		if err := h.l.StoragePoolBuild(p, 0); err != nil {
			return wrap(err, "build pool %s on %s", p.Name, h)
		}
	}
	if err := h.l.StoragePoolCreate(p, 0); err != nil {
		return wrap(err, "start pool %s on %s", p.Name, h)
	}
	return wrap(h.l.StoragePoolSetAutostart(p, 1), "autostart pool %s on %s", p.Name, h)
}

// DeletePool stops and undefines a pool that holds no volumes. Its
// directory and data stay on the host.
func (s *storageAPI) DeletePool(ctx context.Context, name string) error {
	h := s.host()
	if err := h.alive(ctx); err != nil {
		return err
	}
	p, err := h.l.StoragePoolLookupByName(name)
	if err != nil {
		return wrap(err, "pool %q on %s", name, h)
	}
	if active, _ := h.l.StoragePoolIsActive(p); active == 1 {
		if n, err := h.l.StoragePoolNumOfVolumes(p); err != nil || n > 0 {
			if err != nil {
				return wrap(err, "count volumes of pool %q on %s", name, h)
			}
			return fmt.Errorf("delete pool %q on %s: %d volumes remain: %w", name, h, n, backends.ErrConflict)
		}
		if err := h.l.StoragePoolDestroy(p); err != nil {
			return wrap(err, "stop pool %q on %s", name, h)
		}
	}
	return wrap(h.l.StoragePoolUndefine(p), "undefine pool %q on %s", name, h)
}
