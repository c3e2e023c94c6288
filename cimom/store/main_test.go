package store

import (
	"log/slog"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// Migrations log at Info on every Open; tests open hundreds of stores.
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if crashChild() {
		return
	}
	os.Exit(m.Run())
}
