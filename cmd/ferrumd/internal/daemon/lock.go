package daemon

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the file in the data directory that ferrumd holds an exclusive
// flock on while it runs; it contains the holder's PID.
const LockFile = "ferrumd.lock"

// ErrDataDirInUse means another process holds the data directory's lock.
var ErrDataDirInUse = errors.New("data directory in use")

// dataLock is a held lock on a data directory.
type dataLock struct{ f *os.File }

// lockDataDir takes the exclusive lock on dir, without waiting. The lock is
// an flock(2), so the kernel releases it when the process dies, however it
// dies. If another process holds it, the error wraps ErrDataDirInUse and
// names that process's PID.
func lockDataDir(dir string) (*dataLock, error) {
	path := filepath.Join(dir, LockFile)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock data directory: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := "another process"
			if b, rerr := os.ReadFile(path); rerr == nil {
				if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil {
					holder = fmt.Sprintf("another ferrumd (pid %d)", pid)
				}
			}
			return nil, fmt.Errorf("%w: %s is held by %s; stop it, or give this instance another FERRUM_DATA_DIR",
				ErrDataDirInUse, dir, holder)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if _, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return &dataLock{f: f}, nil
}

// release empties the PID and lets go of the lock. The file stays: removing
// it would race with a process that has just opened it.
func (l *dataLock) release() error {
	terr := l.f.Truncate(0)
	uerr := syscall.Flock(int(l.f.Fd()), syscall.LOCK_UN)
	cerr := l.f.Close()
	if err := errors.Join(terr, uerr, cerr); err != nil {
		return fmt.Errorf("release data directory lock: %w", err)
	}
	return nil
}
