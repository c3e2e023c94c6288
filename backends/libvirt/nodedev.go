package libvirt

import (
	"encoding/xml"
	"path"
	"slices"
	"strings"

	golibvirt "github.com/digitalocean/go-libvirt"

	"github.com/ferrum-virt/ferrum/backends"
)

// nodeDeviceXML is the part of a node device document Ferrum reads.
type nodeDeviceXML struct {
	Name string `xml:"name"`
	Caps []struct {
		Type      string        `xml:"type,attr"`
		Interface string        `xml:"interface"`
		Address   string        `xml:"address"`
		Link      *linkXML      `xml:"link"`
		Block     string        `xml:"block"`
		DriveType string        `xml:"drive_type"`
		Vendor    string        `xml:"vendor"`
		Model     string        `xml:"model"`
		Size      uint64        `xml:"size"`
		Host      string        `xml:"host"`
		Inner     []innerCapXML `xml:"capability"`
	} `xml:"capability"`
}

type linkXML struct {
	Speed uint64 `xml:"speed,attr"`
	State string `xml:"state,attr"`
}

type innerCapXML struct {
	Type string `xml:"type,attr"`
	WWPN string `xml:"wwpn"`
}

// hostDevices lists the host's NICs and block storage from libvirt's node
// device driver. A driver without one (the test driver) reports none.
func (h *Host) hostDevices() ([]backends.HostNIC, backends.HostStorage) {
	var nics []backends.HostNIC
	var stor backends.HostStorage
	flags := golibvirt.ConnectListNodeDevicesCapNet | golibvirt.ConnectListNodeDevicesCapStorage |
		golibvirt.ConnectListNodeDevicesCapScsiHost
	devs, _, err := h.l.ConnectListAllNodeDevices(1, uint32(flags))
	if err != nil {
		return nil, stor
	}
	for _, dev := range devs {
		text, err := h.l.NodeDeviceGetXMLDesc(dev.Name, 0)
		if err != nil {
			continue
		}
		var d nodeDeviceXML
		if xml.Unmarshal([]byte(text), &d) != nil {
			continue
		}
		for _, c := range d.Caps {
			switch c.Type {
			case "net":
				if n, ok := hostNIC(c.Interface, c.Address, c.Link); ok {
					nics = append(nics, n)
				}
			case "storage":
				if c.Size > 0 && c.DriveType != "cdrom" {
					stor.Disks = append(stor.Disks, backends.HostDisk{Name: path.Base(c.Block),
						Model: strings.TrimSpace(c.Vendor + " " + c.Model), SizeBytes: c.Size})
				}
			case "scsi_host":
				stor.HBAs = append(stor.HBAs, hba(d.Name, c.Inner))
			}
		}
	}
	slices.SortFunc(nics, func(a, b backends.HostNIC) int { return strings.Compare(a.Name, b.Name) })
	return nics, stor
}

// hostNIC describes a physical interface; loopback and devices without a
// usable MAC are not NICs a switch can use.
func hostNIC(name, mac string, link *linkXML) (backends.HostNIC, bool) {
	m, err := backends.ParseMAC(mac)
	if err != nil || name == "" || name == "lo" || m == (backends.MAC{}) {
		return backends.HostNIC{}, false
	}
	n := backends.HostNIC{Name: name, MAC: m.String()}
	if link != nil {
		n.LinkUp = link.State == "up"
		if link.Speed > 0 && link.Speed < 1<<31 {
			n.SpeedMbps = int(link.Speed)
		}
	}
	return n, true
}

func hba(name string, inner []innerCapXML) backends.HBA {
	a := backends.HBA{Name: strings.TrimPrefix(name, "scsi_"), Type: "sas"}
	for _, c := range inner {
		if c.Type == "fc_host" {
			a.Type, a.WWPN = "fc", c.WWPN
		}
	}
	return a
}
