// Command ferrum-agent runs on every Ferrum node beside its hypervisor and
// serves the node to the manager over an outbound, mutually authenticated
// TLS link (see package agent).
//
//	ferrum-agent --backend libvirt --manager mgr.example:5990 --join-token TOKEN
//
// The first start enrols the node with the join token (ferrumctl node token
// on the manager) and keeps its credentials in --state-dir; later starts
// need only --manager and --backend. Every flag has a FERRUM_AGENT_*
// environment variable. Exit codes: 0 after SIGTERM or SIGINT, 1 when the
// agent fails, 2 for an invalid command line or configuration.
//
// `ferrum-agent dev-manager` runs a stand-alone node registry for
// development, until ferrumd serves agents itself.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/ferrum-virt/ferrum/agent"
	"github.com/spf13/cobra"
)

// version is stamped by the build (-X main.version=...).
var version = "dev"

const (
	exitFailure = 1
	exitUsage   = 2
)

type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run runs ferrum-agent with args until ctx ends and returns its exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd := newCommand(stdout, stderr)
	cmd.SetArgs(args)
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	var ue usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "ferrum-agent: %s\nRun 'ferrum-agent --help' for usage.\n",
			strings.ReplaceAll(err.Error(), "\n", "\n  "))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "ferrum-agent: %v\n", err)
		return exitFailure
	}
}

func newCommand(stdout, stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:           "ferrum-agent",
		Short:         "Ferrum's node agent: serves this node's hypervisor to the manager",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unexpected arguments %q", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig(cmd.Flags())
			if err != nil {
				return usageError{fmt.Errorf("invalid configuration:\n%w", err)}
			}
			return runAgent(cmd.Context(), cfg, newLogger(stderr, cfg.LogLevel, cfg.LogFormat))
		},
	}
	cmd.CompletionOptions.DisableDefaultCmd = true
	registerFlags(cmd.Flags())
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	cmd.AddCommand(newDevManagerCommand(stdout, stderr))
	return cmd
}

// runAgent runs the agent until ctx ends.
func runAgent(ctx context.Context, cfg config, log *slog.Logger) error {
	b, err := newBackend(cfg, log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	if b.run != nil {
		wg.Go(func() { b.run(ctx) })
	}
	if b.close != nil {
		defer b.close()
	}
	migrationURI := cfg.MigrationURI
	if migrationURI == "" {
		migrationURI = b.migrationURI
	}
	a, err := agent.New(agent.Config{Backend: b.host, Resolver: b.resolver, Manager: cfg.Manager,
		StateDir: cfg.StateDir, JoinToken: cfg.JoinToken, Heartbeat: cfg.Heartbeat, MigrationURI: migrationURI,
		Backoff: agent.Backoff{Max: cfg.ReconnectMax}, Version: version, Logger: log})
	if err != nil {
		return err
	}
	log.Info("ferrum-agent starting", "op", "start", "version", version, "backend", cfg.Backend,
		"manager", cfg.Manager, "state_dir", cfg.StateDir)
	if err := a.Run(ctx); err != nil {
		return err
	}
	log.Info("ferrum-agent stopped", "op", "stop")
	return nil
}

func newLogger(w io.Writer, level slog.Level, format string) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
