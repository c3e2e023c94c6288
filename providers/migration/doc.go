// Package migration serves DSP1081 Virtual System Migration in root/virt:
// one Ferrum_VirtualSystemMigrationService per host, hosted on it by
// Ferrum_HostedService, with its Ferrum_VirtualSystemMigrationCapabilities
// (Ferrum_ElementCapabilities) and a default
// Ferrum_VirtualSystemMigrationSettingData linked to those capabilities by
// Ferrum_SettingsDefineCapabilities. The association classes belong to the
// virtualization provider (providers/virt); this package extends them.
//
// The service migrates the virtual machines of its own host. The check
// methods (CheckVirtualSystemIsMigratableToHost, ...ToSystem) answer at
// once with IsMigratable from the backend's CheckMigration. The migrate
// methods validate synchronously — the VM, the destination, its state, the
// MigrationSettingData and the backend's check — and answer 4 Invalid
// Parameter, 5 Invalid State or 6 Incompatible Parameters without changing
// anything; otherwise they start a job (4096) that calls the backend's
// Migrate. The job reports each pre-copy round as PercentComplete and
// JobStatus, and on completion its JobOutParameters carry NewComputerSystem,
// DestinationHost, the MigrationType that ran (1 Other for an offline move)
// and the backend's figures: Rounds, BytesSent, Downtime and TotalTime
// (intervals) and ThrottlePercent.
// A failed migration leaves the VM on its source and the job in Exception
// with the error (ErrorCode is the method's return code for it);
// RequestStateChange(Terminate) on the job cancels the migration. A VM has
// one migration at a time: asking for another while one is pending answers
// 5.
//
// MigrationSettingData.MigrationType chooses how a running VM moves:
// 2 Live (the default) pre-copies its memory while it runs; 3 Resume pauses
// it, moves it and resumes it on the destination; 4 Restart shuts it down,
// moves its definition and starts it there. A stopped VM always moves
// offline (its definition only). Priority orders the migrations waiting for
// one of a host's outgoing slots (Options.MaxPerHost); lower values go
// first, 0 is the default. Bandwidth caps the copy rate in
// BandwidthUnit, a DSP0004 programmatic unit such as "byte / second * 2^20"
// (the default when BandwidthUnit is empty) or "percent" of the link.
//
// DestinationHost may name a host by its ID (the Name of its
// Ferrum_HostSystem), its host name or short host name, or an address: the
// host part of a libvirt URI, an address a host backend reports, or an IP
// address whose reverse lookup gives a known host name.
package migration
