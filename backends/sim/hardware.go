package sim

import (
	"fmt"
	"math/rand/v2"

	"github.com/ferrum-virt/ferrum/backends"
	"github.com/google/uuid"
)

// cpuModel is one processor a generated host may carry.
type cpuModel struct {
	name          string
	vendor        string
	family, model int
	cores, mhz    int
}

// cpuCatalog holds server processors of both families, so a data center
// mixes models within a family (migratable) and families (not migratable).
var cpuCatalog = []cpuModel{
	{"Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz", "Intel", 6, 79, 14, 2400},
	{"Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz", "Intel", 6, 85, 20, 2500},
	{"Intel(R) Xeon(R) Gold 6338 CPU @ 2.00GHz", "Intel", 6, 106, 32, 2000},
	{"Intel(R) Xeon(R) Platinum 8480+ CPU @ 2.00GHz", "Intel", 6, 143, 56, 2000},
	{"AMD EPYC 7302 16-Core Processor", "AMD", 23, 49, 16, 3000},
	{"AMD EPYC 7543 32-Core Processor", "AMD", 25, 1, 32, 2800},
	{"AMD EPYC 9354 32-Core Processor", "AMD", 25, 17, 32, 3250},
}

var (
	memorySizesGiB = []uint64{64, 128, 192, 256, 384, 512}
	nicVendors     = []struct {
		oui   [3]byte
		speed int
	}{{[3]byte{0x00, 0x1b, 0x21}, 10000}, {[3]byte{0x3c, 0xfd, 0xfe}, 25000}, {[3]byte{0x00, 0x10, 0x18}, 1000}}
	hbaModels = []backends.HBA{
		{Model: "Broadcom / LSI SAS3008 PCI-Express Fusion-MPT SAS-3", Type: "sas"},
		{Model: "Intel Corporation C620 Series Chipset SATA Controller", Type: "sata"},
	}
	diskModels = []struct {
		name string
		size uint64
	}{{"SAMSUNG MZ7LH480", 480e9}, {"INTEL SSDSC2KB960G8", 960e9}, {"SEAGATE ST2000NM0055", 2000e9}, {"MICRON 5300 MTFDDAK3T8", 3840e9}}
)

// Limits follow the white paper's supported configurations.
var simLimits = backends.Limits{MaxVCPUs: 8, MinMemoryMiB: backends.MinMemoryMiB, MaxMemoryMiB: 96 << 10, MaxNICs: 4, MaxDisks: 8}

// hypervisorOverheadMiB is what the service partition keeps for itself.
func hypervisorOverheadMiB(totalMiB uint64) uint64 { return 2048 + totalMiB/64 }

// generateHardware draws host idx's hardware from the data center seed, so it
// does not depend on the order hosts are built in.
func generateHardware(seed int64, idx int) (backends.HostInfo, *rand.Rand) {
	r := rand.New(rand.NewPCG(uint64(seed), uint64(idx)))
	id, _ := uuid.NewRandomFromReader(readerOf(r))
	cpu := cpuCatalog[r.IntN(len(cpuCatalog))]
	info := backends.HostInfo{
		ID:       id.String(),
		Hostname: fmt.Sprintf("node%05d.vdc.example", idx+1),
		CPU: backends.CPUInfo{
			Model: cpu.name, Vendor: cpu.vendor, Family: cpu.family, ModelNumber: cpu.model,
			Sockets: 2 + r.IntN(3), CoresPerSocket: cpu.cores, ThreadsPerCore: 2, MHz: cpu.mhz,
		},
		MemoryMiB:  memorySizesGiB[r.IntN(len(memorySizesGiB))] << 10,
		Hypervisor: backends.HypervisorInfo{Name: "ferrum-sim", Version: "3.1.0"},
		Caps:       simCaps,
		Limits:     simLimits,
	}
	info.NICs = generateNICs(r)
	info.Storage = generateStorage(r)
	return info, r
}

// generateNICs gives a host a management NIC and one to three more; the
// second is cabled to the public network and uplinks the external switch.
func generateNICs(r *rand.Rand) []backends.HostNIC {
	v := nicVendors[r.IntN(len(nicVendors))]
	n := 2 + r.IntN(3)
	nics := make([]backends.HostNIC, n)
	for i := range nics {
		var m backends.MAC
		copy(m[:3], v.oui[:])
		m[3], m[4], m[5] = byte(r.Uint32()), byte(r.Uint32()), byte(r.Uint32())
		network := "public"
		if i == 0 {
			network = "mgmt"
		} else if i > 1 {
			network = "storage"
		}
		nics[i] = backends.HostNIC{Name: fmt.Sprintf("eno%d", i+1), MAC: m.String(),
			LinkUp: true, SpeedMbps: v.speed, Network: network}
	}
	return nics
}

// generateStorage gives a host a local HBA with two to four disks and a
// Fibre Channel HBA that sees the cluster's SAN LUN.
func generateStorage(r *rand.Rand) backends.HostStorage {
	local := hbaModels[r.IntN(len(hbaModels))]
	local.Name = "host0"
	fc := backends.HBA{Name: "host1", Model: "QLogic QLE2692 16Gb FC HBA", Type: "fc",
		WWPN: fmt.Sprintf("21:00:00:24:ff:%02x:%02x:%02x", r.IntN(256), r.IntN(256), r.IntN(256))}
	st := backends.HostStorage{HBAs: []backends.HBA{local, fc}}
	dm := diskModels[r.IntN(len(diskModels))]
	for i := range 2 + r.IntN(3) {
		st.Disks = append(st.Disks, backends.HostDisk{Name: fmt.Sprintf("sd%c", 'a'+i),
			Model: dm.name, SizeBytes: dm.size, HBA: local.Name})
	}
	st.Disks = append(st.Disks, backends.HostDisk{Name: fmt.Sprintf("sd%c", 'a'+len(st.Disks)),
		Model: "NETAPP LUN C-Mode", SizeBytes: sanBytes, HBA: fc.Name, Shared: true})
	return st
}

// localPoolBytes is the local disk space left for the default pool after
// the first disk, which holds the service partition.
func localPoolBytes(st backends.HostStorage) uint64 {
	var total uint64
	for i, d := range st.Disks {
		if !d.Shared && i > 0 {
			total += d.SizeBytes
		}
	}
	return total
}

const sanBytes = 100 << 40 // one 100 TiB LUN per cluster

type randReader struct{ r *rand.Rand }

func readerOf(r *rand.Rand) randReader { return randReader{r} }

func (rr randReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(rr.r.Uint32())
	}
	return len(p), nil
}
