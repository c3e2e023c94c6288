// Package libvirt is the backends.Host of a libvirt daemon, over
// go-libvirt's RPC client (pure Go, no cgo): QEMU/KVM hosts in production,
// libvirt's test driver and QEMU under TCG in tests.
//
// Dial connects to one driver of one daemon (test:///default,
// qemu:///system through a socket, qemu+tcp://host/system) and discovers
// what it can do: HostInfo.Caps declares exactly that, so the shared suite
// (backends/backendtest) skips what a driver cannot do and nothing else.
// The test driver keeps everything in memory for the life of the
// connection and has no migration, device hot-plug, volume resize or
// volume streams; QEMU has them all.
//
// How Ferrum's model maps onto libvirt:
//
//   - A VM is a persistent domain; its ID is the domain UUID. Domain XML is
//     written and read by this package's own encoding/xml types, which keep
//     every element they do not model, so a cold change (a redefinition)
//     keeps an administrator's additions. Running VMs report their live XML.
//   - Saved is a shut-off domain with a managed save image; Start and
//     Restore resume it running.
//   - Weight is cgroup CPU shares (weight × 4, so the default weight 256 is
//     the default share 1024).
//   - Hot changes go to the running guest and its definition. A PCI unplug
//     completes when the guest OS releases the device; Detach waits for it
//     and repeats a request the guest missed.
//   - Pools and volumes are libvirt storage pools and volumes; linked
//     clones are qcow2 overlays, full clones virStorageVolCreateXMLFrom,
//     import and export stream the image through the daemon.
//   - Switches are libvirt networks: internal ones isolated bridges,
//     external ones macvtap bridge mode on a host NIC. Because libvirt tags
//     VLANs only on Open vSwitch, SR-IOV and macvtap passthrough, VLAN n of
//     an internal switch sw is an isolated network of its own, "sw#n".
//   - Live migration is peer to peer: the source daemon connects to the
//     destination's PeerURI; the job is polled for progress and aborted on
//     cancellation or too many rounds.
//   - Events come from libvirt's lifecycle, reboot and device event streams
//     for the life of the connection.
//
// The test environment (real daemons, namespaces for migration, the test
// guest) is started by testenv/testenv.sh, which the tests call through
// package testenv.
package libvirt
