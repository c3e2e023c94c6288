// Package jobs runs Ferrum's asynchronous operations as DSP1103 jobs.
//
// A method that returns 4096 ("Method Parameters Checked – Job Started")
// hands its work to a Manager with Start and returns the job's path. The
// Manager runs the work in a bounded pool of goroutines and keeps a record
// per job: JobState (2 New, 3 Starting, 4 Running, 7 Completed,
// 8 Terminated, 9 Killed, 10 Exception), PercentComplete, the CIM datetimes,
// the error, the in and out parameters, the owner (the authenticated user of
// the request that started it), the service that owns it and the elements it
// affects.
//
// Work registers undo steps on its Progress handle as it changes things; when
// the work fails, is terminated or is killed, the steps run in reverse order
// before the job ends, so that a half-done DefineSystem leaves no orphaned
// disk behind. Every start and finish is logged with log/slog under the keys
// job, op, user, vm, host and result.
//
// Every state change is written through a Store (cimom.InstanceStore, the
// SQLite store in production) as an instance of Ferrum_ConcreteJob, so that
// jobs survive a restart of ferrumd: NewManager reloads them, and a job that
// was New, Starting or Running when the process stopped — its work cannot be
// resumed — ends in Exception with the ErrorDescription "interrupted by a
// restart of ferrumd" and lists the undo steps that could not run. Nothing
// accepted is lost. PercentComplete and JobStatus are persisted with each
// state change, not on every progress report.
//
// A finished job with DeleteOnCompletion (the default) disappears
// TimeBeforeRemoval (default five minutes) after it finished; clients can
// delete a finished job earlier, keep it by clearing DeleteOnCompletion, and
// stop a running one with RequestStateChange(4 Terminate or 5 Kill), which
// cancels the work's context and rolls it back.
//
// Register serves the jobs in root/virt: Ferrum_ConcreteJob (with
// RequestStateChange, GetErrors and GetError), Ferrum_JobCapabilities,
// Ferrum_OwningJobElement and Ferrum_AffectedJobElement. A principal sees
// the jobs it owns; one with the role "admin", or a request that carries no
// principal (an internal call), sees them all.
package jobs
