package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataDirLock(t *testing.T) {
	dir := t.TempDir()
	first, err := lockDataDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("the lock file holds the holder's PID", func(t *testing.T) {
		b, _ := os.ReadFile(filepath.Join(dir, LockFile))
		if strings.TrimSpace(string(b)) != fmt.Sprint(os.Getpid()) {
			t.Fatalf("lock file = %q", b)
		}
	})
	t.Run("a second lock is refused, naming the holder", func(t *testing.T) {
		_, err := lockDataDir(dir)
		if !errors.Is(err, ErrDataDirInUse) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
			t.Fatalf("err = %v, want ErrDataDirInUse naming pid %d", err, os.Getpid())
		}
	})
	t.Run("after release the lock can be taken again", func(t *testing.T) {
		if err := first.release(); err != nil {
			t.Fatal(err)
		}
		again, err := lockDataDir(dir)
		if err != nil {
			t.Fatalf("relock: %v", err)
		}
		again.release()
	})
}
