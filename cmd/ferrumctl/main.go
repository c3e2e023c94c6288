// Command ferrumctl is Ferrum's command-line client: schema tools today, and
// the home of the management, listening and conformance commands.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := newRootCommand().Execute(); err != nil {
		os.Exit(exitCode(err))
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "ferrumctl",
		Short:         "Ferrum's command-line client",
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newMOFCommand())
	root.AddCommand(newNodeCommand())
	root.AddCommand(newConformanceCommand())
	root.AddCommand(newListenCommand())
	root.SetErr(os.Stderr)
	return root
}

// exitError carries an exit code; its message has already been printed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func exitCode(err error) int {
	if e, ok := err.(exitError); ok {
		return e.code
	}
	fmt.Fprintln(os.Stderr, "ferrumctl:", err)
	return 2
}
