package model

import "github.com/ferrum-virt/ferrum/backends"

// EnabledState values (CIM_EnabledLogicalElement).
const (
	EnabledUnknown    uint16 = 0
	Enabled           uint16 = 2
	Disabled          uint16 = 3
	ShuttingDown      uint16 = 4
	EnabledButOffline uint16 = 6
	Quiesce           uint16 = 9
)

// RequestedState values beyond those shared with EnabledState.
const (
	RequestedShutDown  uint16 = 4
	RequestedNoChange  uint16 = 5
	RequestedOffline   uint16 = 6
	RequestedReboot    uint16 = 10
	RequestedReset     uint16 = 11
	RequestedNotApplic uint16 = 12 // also TransitioningToState's "not applicable"
)

// TransitionNotApplic is TransitioningToState when no transition is under
// way.
const TransitionNotApplic = RequestedNotApplic

// HealthState values.
const (
	HealthOK       uint16 = 5
	HealthCritical uint16 = 25
)

// OperationalStatus values.
const (
	OpStatusOK        uint16 = 2
	OpStatusError     uint16 = 6
	OpStatusStopping  uint16 = 9
	OpStatusLostComms uint16 = 13
	OpStatusDormant   uint16 = 15
)

// RequestedStatesSupported are the RequestStateChange values Ferrum
// accepts on a VM: 2 Enabled, 3 Disabled, 4 Shut Down, 6 Offline, 9
// Quiesce, 10 Reboot, 11 Reset.
var RequestedStatesSupported = []uint16{Enabled, Disabled, RequestedShutDown, RequestedOffline, Quiesce, RequestedReboot, RequestedReset}

// EnabledState maps a backend state: running 2, off 3, crashed 3,
// shutting-down 4, saved 6, paused 9.
func EnabledState(s backends.State) uint16 {
	switch s {
	case backends.StateRunning:
		return Enabled
	case backends.StateOff, backends.StateCrashed:
		return Disabled
	case backends.StateShuttingDown:
		return ShuttingDown
	case backends.StateSaved:
		return EnabledButOffline
	case backends.StatePaused:
		return Quiesce
	}
	return EnabledUnknown
}

// HealthState is 25 Critical failure for a crashed VM, 5 OK otherwise.
func HealthState(s backends.State) uint16 {
	if s == backends.StateCrashed {
		return HealthCritical
	}
	return HealthOK
}

// OperationalStatus is {6 Error} for a crashed VM, {2 OK, 9 Stopping} while
// it shuts down, {2 OK, 15 Dormant} while paused or saved, {2 OK} otherwise.
func OperationalStatus(s backends.State) []uint16 {
	switch s {
	case backends.StateCrashed:
		return []uint16{OpStatusError}
	case backends.StateShuttingDown:
		return []uint16{OpStatusOK, OpStatusStopping}
	case backends.StatePaused, backends.StateSaved:
		return []uint16{OpStatusOK, OpStatusDormant}
	}
	return []uint16{OpStatusOK}
}

// AvailableRequestedStates are the RequestStateChange values that would
// change a VM in state s.
func AvailableRequestedStates(s backends.State) []uint16 {
	switch s {
	case backends.StateOff, backends.StateCrashed:
		return []uint16{Enabled}
	case backends.StateRunning:
		return []uint16{Disabled, RequestedShutDown, RequestedOffline, Quiesce, RequestedReboot, RequestedReset}
	case backends.StatePaused:
		return []uint16{Enabled, Disabled, RequestedOffline, RequestedReset}
	case backends.StateSaved:
		return []uint16{Enabled}
	case backends.StateShuttingDown:
		return []uint16{Disabled}
	}
	return nil
}
