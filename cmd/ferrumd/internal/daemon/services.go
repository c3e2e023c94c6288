package daemon

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ferrum-virt/ferrum/cimom"
	"github.com/ferrum-virt/ferrum/cimom/jobs"
	"github.com/ferrum-virt/ferrum/providers/virt"
)

// serviceDeps is what the providers that build on the virtualization
// provider need: the engine (dispatcher, interop provider, inventory,
// indication service), the virtualization provider they extend, the job
// manager and the instance store.
type serviceDeps struct {
	e     *engine
	virt  *virt.Provider
	jobs  *jobs.Manager
	store cimom.SQLStore
	log   *slog.Logger
}

// serviceProviders are registered after the virtualization provider, in
// this order. Each adds its classes, extensions and profiles.
var serviceProviders = []struct {
	name     string
	register func(ctx context.Context, d serviceDeps) error
}{
	// One line per provider package: {"name", registerName},
	{"pool configuration", registerPoolConfig},
	{"migration", registerMigration},
	{"virtual switch", registerVSwitch},
	{"snapshot", registerSnapshot},
	{"lifecycle indications", registerLifecycle},
}

// registerServices registers every provider of serviceProviders.
func registerServices(ctx context.Context, d serviceDeps) error {
	for _, sp := range serviceProviders {
		if err := sp.register(ctx, d); err != nil {
			return fmt.Errorf("%s provider: %w", sp.name, err)
		}
	}
	return nil
}
