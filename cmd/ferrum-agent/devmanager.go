package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ferrum-virt/ferrum/agent/manager"
	"github.com/spf13/cobra"
)

// newDevManagerCommand is a stand-alone node registry for development: it
// prints a join token, serves agents and logs their comings and goings.
// ferrumd will serve agents itself; this command then goes away.
func newDevManagerCommand(stdout, stderr io.Writer) *cobra.Command {
	var dataDir, listen string
	var ttl, every time.Duration
	cmd := &cobra.Command{
		Use:    "dev-manager",
		Short:  "run a stand-alone node registry for development (ferrumd will serve agents itself)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := newLogger(stderr, 0, "text")
			ctx := cmd.Context()
			reg, err := manager.Open(ctx, manager.Config{DataDir: dataDir, Addr: listen, Logger: log, Version: version})
			if err != nil {
				return err
			}
			defer reg.Close()
			tok, err := reg.NewJoinToken(ttl)
			if err != nil {
				return err
			}
			tokenFile := filepath.Join(dataDir, "join-token")
			if err := os.WriteFile(tokenFile, []byte(tok.Value+"\n"), 0o600); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "join token (single use, expires %s; also in %s):\n%s\n",
				tok.Expires.Format(time.RFC3339), tokenFile, tok.Value)
			go report(ctx, reg, every, stdout)
			return reg.ListenAndServe(ctx)
		},
	}
	cmd.Flags().StringVar(&dataDir, "data-dir", "./ferrum-dev-manager", "directory for the CA and the node file")
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:5990", "agent listener address")
	cmd.Flags().DurationVar(&ttl, "token-ttl", time.Hour, "lifetime of the printed join token")
	cmd.Flags().DurationVar(&every, "status-every", 10*time.Second, "how often to print the nodes")
	return cmd
}

// report prints node events as they happen and a node table every period.
func report(ctx context.Context, reg *manager.Registry, every time.Duration, w io.Writer) {
	events := reg.Watch(ctx)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-events:
			fmt.Fprintf(w, "node %s (%s): %s → %s (%s)\n", e.Name, e.Node, e.Prev, e.State, e.Reason)
		case <-t.C:
			for _, n := range reg.Nodes(ctx) {
				vms := "-"
				if h, err := reg.Host(ctx, n.ID); err == nil && n.Connected {
					if list, err := h.VMs().List(ctx); err == nil {
						vms = fmt.Sprint(len(list))
					}
				}
				fmt.Fprintf(w, "  %-28s %-36s %-8s vms=%s revoked=%v\n", n.Name, n.ID, n.State, vms, n.Revoked())
			}
		}
	}
}
