package daemon

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestStartErr(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	boom := errors.New("disk full")
	if err := startErr(ctx, boom, discard); err != boom {
		t.Fatalf("a real failure was masked: %v", err)
	}
	cancel()
	if err := startErr(ctx, fmt.Errorf("open store: %w", context.Canceled), discard); err != nil {
		t.Fatalf("a stop during start-up is reported as a failure: %v", err)
	}
	if err := startErr(ctx, boom, discard); err != boom {
		t.Fatalf("a real failure after the stop was masked: %v", err)
	}
}
