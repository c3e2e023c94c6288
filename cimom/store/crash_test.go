package store

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// crashEnv, when set to a database path, turns the test binary into the
// writer that TestCrashConsistency kills.
const crashEnv = "FERRUM_STORE_CRASH_CHILD"

const (
	crashBatch   = 20  // instances per transaction
	crashKillAt  = 120 // batches the parent waits for before the kill
	crashPayload = 2048
)

// crashChild runs the child side when crashEnv is set: it writes batches
// until it is killed, printing each batch number once its commit returned.
// It stops by itself after a minute in case the parent died.
func crashChild() bool {
	path := os.Getenv(crashEnv)
	if path == "" {
		return false
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	deadline := time.Now().Add(time.Minute)
	for batch := 0; time.Now().Before(deadline); batch++ {
		if err := writeCrashBatch(ctx, s, batch); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		fmt.Printf("committed %d\n", batch)
	}
	os.Exit(4)
	return true
}

// writeCrashBatch writes crashBatch instances and the "last" setting in one
// transaction.
func writeCrashBatch(ctx context.Context, s *Store, batch int) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for i := range crashBatch {
			in := cim.NewInstance("Ferrum_Crash").
				Set("Batch", cim.Uint32(uint32(batch))).
				Set("Item", cim.Uint32(uint32(i))).
				Set("Payload", cim.String(strings.Repeat(string(rune('a'+batch%26)), crashPayload)))
			p := cim.NewInstancePath("root/virt", "Ferrum_Crash",
				cim.KeyBinding{Name: "Batch", Value: cim.Uint32(uint32(batch))},
				cim.KeyBinding{Name: "Item", Value: cim.Uint32(uint32(i))})
			if err := insertInstance(ctx, tx.StmtContext(ctx, s.stmts.insert), "root/virt", p, in); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('last', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, fmt.Sprint(batch))
		return err
	})
}

func TestCrashConsistency(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ferrum.db")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	reported := -1
	sc := bufio.NewScanner(stdout)
	for reported < crashKillAt && sc.Scan() {
		if _, err := fmt.Sscanf(sc.Text(), "committed %d", &reported); err != nil {
			t.Errorf("child said %q", sc.Text())
		}
	}
	cmd.Process.Kill() // SIGKILL: no deferred code, no Close, mid-transaction
	cmd.Wait()
	if reported < crashKillAt {
		t.Fatalf("child stopped after batch %d: %s", reported, stderr.String())
	}

	var check string
	if err := rawDB(t, path).QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v", check, err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	items := map[uint32]int{}
	err = s.EnumerateInstances(ctx, "root/virt", "Ferrum_Crash", func(_ cim.ObjectPath, in *cim.Instance) bool {
		b, _ := in.Get("Batch")
		n, _ := b.AsUint64()
		items[uint32(n)]++
		if len(in.Str("Payload")) != crashPayload {
			t.Errorf("batch %d: a torn payload of %d bytes", n, len(in.Str("Payload")))
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	last, _, err := s.GetSetting(ctx, "last")
	if err != nil {
		t.Fatal(err)
	}
	var lastBatch int
	fmt.Sscan(last, &lastBatch)
	if lastBatch < reported {
		t.Fatalf("batch %d was reported committed but the database ends at %d", reported, lastBatch)
	}
	if len(items) != lastBatch+1 {
		t.Fatalf("%d batches stored, the last setting says %d", len(items), lastBatch+1)
	}
	for b := range uint32(lastBatch + 1) {
		if items[b] != crashBatch {
			t.Fatalf("batch %d has %d of %d instances: a partial transaction", b, items[b], crashBatch)
		}
	}
	t.Logf("killed after batch %d was reported; %d whole batches survived", reported, lastBatch+1)
}
