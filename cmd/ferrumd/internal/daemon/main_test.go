package daemon

import (
	"io"
	"log/slog"
	"os"
	"testing"
)

// TestMain silences the default logger, which the store logs its migrations
// to, so test output shows only what matters.
func TestMain(m *testing.M) {
	slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}
