// Command ferrumd is Ferrum's management server: the CIM object manager that
// serves the DMTF system-virtualization profiles over WS-Management
// (POST /wsman) and CIM-XML (POST /cimom).
//
// Settings come from flags, FERRUM_* environment variables and a YAML config
// file, in that order of precedence; `ferrumd --help` lists them. Exit codes:
// 0 after a clean shutdown (SIGTERM or SIGINT), 1 when ferrumd fails, 2 when
// the configuration or the command line is invalid.
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
	"syscall"

	"github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/config"
	"github.com/ferrum-virt/ferrum/cmd/ferrumd/internal/daemon"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks errors of the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

// run runs ferrumd with args and returns its exit code.
func run(args []string, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second signal during the graceful shutdown ends ferrumd at once
	}()
	cmd := newCommand(stderr)
	cmd.SetArgs(args)
	cmd.SetErr(stderr)
	err := cmd.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ue usageError
	var ce *config.Error
	switch {
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "ferrumd: %v\nRun 'ferrumd --help' for usage.\n", err)
		return exitUsage
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "ferrumd: invalid configuration:\n  %s\n", indent(err.Error()))
		return exitUsage
	default:
		fmt.Fprintf(stderr, "ferrumd: %v\n", err)
		return exitFailure
	}
}

func newCommand(stderr io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ferrumd",
		Short: "Ferrum's management server and CIM object manager",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageError{fmt.Errorf("unexpected arguments %q: ferrumd takes only flags", args)}
			}
			return nil
		},
		Version:       daemon.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := config.Load(cmd.Flags())
			if err != nil {
				return err
			}
			log := newLogger(stderr, cfg)
			slog.SetDefault(log)
			if cfg.File != "" {
				log.Info("read config file", "op", "start", "file", cfg.File)
			}
			return daemon.Run(cmd.Context(), cfg, log)
		},
	}
	config.RegisterFlags(cmd.Flags())
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	return cmd
}

func newLogger(w io.Writer, cfg config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// indent puts each of several joined errors on its own indented line.
func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }
