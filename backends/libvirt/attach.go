package libvirt

import (
	"context"
	"fmt"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// AttachDisk adds a disk to a VM's definition, and to the running guest
// when the VM runs (virtio and SCSI only: IDE and SATA are emulated
// controllers that cannot be hot-plugged).
func (a *vmAPI) AttachDisk(ctx context.Context, id string, disk backends.DiskSpec) (backends.DiskSpec, error) {
	h := a.host()
	disk.Normalize()
	if disk.Volume != nil {
		ref := *disk.Volume
		disk.Volume = &ref
	}
	if err := disk.Validate(); err != nil {
		return disk, fmt.Errorf("attach disk to %s: %w", id, err)
	}
	hotOK := func() error {
		if disk.Bus == backends.BusIDE || disk.Bus == backends.BusSATA {
			return fmt.Errorf("hot-plug on the %s bus: %w", disk.Bus, backends.ErrUnsupported)
		}
		if !h.static.Caps.HotplugDisk {
			return fmt.Errorf("disk hot-plug: %w", backends.ErrUnsupported)
		}
		return nil
	}
	// prepare names the target and checks the volume against the host.
	prepare := func(doc *domainXML) (any, func(*domainXML), error) {
		if len(doc.Devices.Disks) >= h.static.Limits.MaxDisks {
			return nil, nil, fmt.Errorf("%d disks, at most %d: %w", len(doc.Devices.Disks),
				h.static.Limits.MaxDisks, backends.ErrInvalidArgument)
		}
		defs, err := h.definitions()
		if err != nil {
			return nil, nil, err
		}
		format, err := h.prepareDisk(&disk, doc.usedTargets(), doc.UUID, defs)
		x := diskElement(disk, format)
		return x, func(doc *domainXML) {
			boot := doc.bootOrder()
			doc.addDisk(x)
			doc.applyBoot(boot)
		}, err
	}
	return disk, h.attach(ctx, id, "attach-disk", hotOK, prepare)
}

// attach adds a device. prepare checks it against a document (the
// definition of a stopped VM, the live document of a running one) and
// returns its element and how to add that to a definition; hotOK tells
// whether the device may go to a running guest.
func (h *Host) attach(ctx context.Context, id, op string, hotOK func() error,
	prepare func(*domainXML) (any, func(*domainXML), error)) error {
	return h.reconfigure(ctx, id, change{op: op,
		cold: func(doc *domainXML) error {
			_, add, err := prepare(doc)
			if err != nil {
				return err
			}
			add(doc)
			return nil
		},
		hot: func(d golibvirt.Domain, live *domainXML) error {
			if err := hotOK(); err != nil {
				return err
			}
			x, _, err := prepare(live)
			if err != nil {
				return err
			}
			text, err := marshalDevice(x)
			if err != nil {
				return err
			}
			return classify(h.l.DomainAttachDeviceFlags(d, text, liveAndConfig))
		}})
}

// DetachDisk removes the disk with the given target. On a running VM it
// waits for the guest to release the device (see awaitRemoval).
func (a *vmAPI) DetachDisk(ctx context.Context, id string, target string) error {
	h := a.host()
	present := func(doc *domainXML) bool { return doc.diskByTarget(target) >= 0 }
	return h.detach(ctx, id, "detach-disk", "disk "+target, present,
		func(doc *domainXML) (any, error) {
			i := doc.diskByTarget(target)
			if i < 0 {
				return nil, fmt.Errorf("disk %s: %w", target, backends.ErrNotFound)
			}
			boot := doc.bootOrder()
			x := doc.Devices.Disks[i]
			doc.Devices.Disks = append(doc.Devices.Disks[:i], doc.Devices.Disks[i+1:]...)
			doc.applyBoot(boot)
			return x, nil
		})
}

// AttachNIC connects a VM to a switch with a new NIC, drawing a MAC unless
// one is given, live when the VM runs.
func (a *vmAPI) AttachNIC(ctx context.Context, id string, n backends.NICSpec) (backends.NICSpec, error) {
	h := a.host()
	n.Normalize()
	if err := n.Validate(); err != nil {
		return n, fmt.Errorf("attach nic to %s: %w", id, err)
	}
	hotOK := func() error {
		if !h.static.Caps.HotplugNIC {
			return fmt.Errorf("nic hot-plug: %w", backends.ErrUnsupported)
		}
		return nil
	}
	prepare := func(doc *domainXML) (any, func(*domainXML), error) {
		if len(doc.Devices.Interfaces) >= h.static.Limits.MaxNICs {
			return nil, nil, fmt.Errorf("%d NICs, at most %d: %w", len(doc.Devices.Interfaces),
				h.static.Limits.MaxNICs, backends.ErrInvalidArgument)
		}
		defs, err := h.definitions()
		if err != nil {
			return nil, nil, err
		}
		x, err := h.prepareNIC(&n, macsInUse(defs), doc.UUID)
		return x, func(doc *domainXML) { doc.Devices.Interfaces = append(doc.Devices.Interfaces, x) }, err
	}
	return n, h.attach(ctx, id, "attach-nic", hotOK, prepare)
}

// DetachNIC removes the NIC with the given MAC, freeing the MAC. On a
// running VM it waits for the guest to release the device.
func (a *vmAPI) DetachNIC(ctx context.Context, id string, mac string) error {
	h := a.host()
	present := func(doc *domainXML) bool { return doc.nicByMAC(mac) >= 0 }
	return h.detach(ctx, id, "detach-nic", "nic "+mac, present,
		func(doc *domainXML) (any, error) {
			i := doc.nicByMAC(mac)
			if i < 0 {
				return nil, fmt.Errorf("nic %s: %w", mac, backends.ErrNotFound)
			}
			x := doc.Devices.Interfaces[i]
			doc.Devices.Interfaces = append(doc.Devices.Interfaces[:i], doc.Devices.Interfaces[i+1:]...)
			return x, nil
		})
}

// detach removes a device: remove takes it out of a document and returns
// its element. A running VM gets a live unplug request, then detach waits,
// without holding h.mu, for the guest to release the device.
func (h *Host) detach(ctx context.Context, id, op, what string, present func(*domainXML) bool,
	remove func(*domainXML) (any, error)) error {
	var hot *golibvirt.Domain
	var device string
	err := h.reconfigure(ctx, id, change{op: op,
		cold: func(doc *domainXML) error {
			_, err := remove(doc)
			return err
		},
		hot: func(d golibvirt.Domain, live *domainXML) error {
			x, err := remove(live)
			if err != nil {
				return err
			}
			if device, err = marshalDevice(x); err != nil {
				return err
			}
			if err := h.l.DomainDetachDeviceFlags(d, device, liveAndConfig); err != nil {
				return classify(err)
			}
			hot = &d
			return nil
		}})
	if err != nil || hot == nil {
		return err
	}
	// A guest that was still booting may have missed the request: QEMU lets
	// it be repeated once the previous one has been pending for a while.
	again := func() { _ = h.l.DomainDetachDeviceFlags(*hot, device, uint32(golibvirt.DomainAffectLive)) }
	if err := h.awaitRemoval(ctx, *hot, what, present, again); err != nil {
		return fmt.Errorf("%s vm %s on %s: %w", op, id, h, err)
	}
	return nil
}
