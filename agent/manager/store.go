package manager

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ferrum-virt/ferrum/agent/pki"
)

// NodeRecord is what the registry persists about an enrolled node.
type NodeRecord struct {
	ID           string    // host UUID, the client certificate's common name
	Name         string    // hostname, as last reported
	CertSerial   string    // hex serial of the node's current certificate; older ones are refused
	CertNotAfter time.Time // when that certificate expires
	EnrolledAt   time.Time
	RevokedAt    time.Time // zero unless revoked; a revoked node is never admitted again
}

// Revoked reports whether the node has been revoked.
func (r NodeRecord) Revoked() bool { return !r.RevokedAt.IsZero() }

// A Store persists node records. The registry calls it with its own lock
// released, one call at a time per node; SaveNode inserts or replaces the
// record with the same ID.
//
// ferrumd's SQLite store needs one table:
//
//	CREATE TABLE agent_nodes (
//	  id             TEXT PRIMARY KEY,  -- NodeRecord.ID
//	  name           TEXT NOT NULL,
//	  cert_serial    TEXT NOT NULL,
//	  cert_not_after INTEGER NOT NULL,  -- Unix seconds
//	  enrolled_at    INTEGER NOT NULL,
//	  revoked_at     INTEGER            -- NULL unless revoked
//	);
type Store interface {
	LoadNodes(ctx context.Context) ([]NodeRecord, error)
	SaveNode(ctx context.Context, rec NodeRecord) error
	DeleteNode(ctx context.Context, id string) error
}

// MemStore keeps records in memory, for tests and throwaway managers.
type MemStore struct {
	mu   sync.Mutex
	recs map[string]NodeRecord
}

// LoadNodes returns every record, by ID.
func (m *MemStore) LoadNodes(context.Context) ([]NodeRecord, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return sortedRecords(m.recs), nil
}

// SaveNode inserts or replaces rec.
func (m *MemStore) SaveNode(_ context.Context, rec NodeRecord) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.recs == nil {
		m.recs = map[string]NodeRecord{}
	}
	m.recs[rec.ID] = rec
	return nil
}

// DeleteNode removes the record of id, if any.
func (m *MemStore) DeleteNode(_ context.Context, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recs, id)
	return nil
}

// FileStore keeps records in one JSON file (0600), rewritten atomically on
// every change.
type FileStore struct {
	path   string
	mu     sync.Mutex
	recs   map[string]NodeRecord
	loaded bool
}

// NewFileStore returns a store in the file at path.
func NewFileStore(path string) *FileStore { return &FileStore{path: path} }

// load reads the file once. Called with f.mu held.
func (f *FileStore) load() error {
	if f.loaded {
		return nil
	}
	f.recs = map[string]NodeRecord{}
	data, err := os.ReadFile(f.path)
	if errors.Is(err, os.ErrNotExist) {
		f.loaded = true
		return nil
	}
	if err != nil {
		return fmt.Errorf("node store: %w", err)
	}
	var recs []NodeRecord
	if err := json.Unmarshal(data, &recs); err != nil {
		return fmt.Errorf("node store %s: %w", f.path, err)
	}
	for _, r := range recs {
		f.recs[r.ID] = r
	}
	f.loaded = true
	return nil
}

// LoadNodes reads every record.
func (f *FileStore) LoadNodes(context.Context) ([]NodeRecord, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.load(); err != nil {
		return nil, err
	}
	return sortedRecords(f.recs), nil
}

// SaveNode inserts or replaces rec and rewrites the file.
func (f *FileStore) SaveNode(_ context.Context, rec NodeRecord) error {
	return f.change(func(m map[string]NodeRecord) { m[rec.ID] = rec })
}

// DeleteNode removes the record of id and rewrites the file.
func (f *FileStore) DeleteNode(_ context.Context, id string) error {
	return f.change(func(m map[string]NodeRecord) { delete(m, id) })
}

// change applies edit to a copy of the records and keeps it once written.
func (f *FileStore) change(edit func(map[string]NodeRecord)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.load(); err != nil {
		return err
	}
	next := maps.Clone(f.recs)
	edit(next)
	data, err := json.MarshalIndent(sortedRecords(next), "", "  ")
	if err == nil {
		if err = os.MkdirAll(filepath.Dir(f.path), 0o700); err == nil {
			err = pki.WriteFileAtomic(f.path, data, 0o600)
		}
	}
	if err != nil {
		return fmt.Errorf("node store %s: %w", f.path, err)
	}
	f.recs = next
	return nil
}

func sortedRecords(m map[string]NodeRecord) []NodeRecord {
	recs := slices.Collect(maps.Values(m))
	slices.SortFunc(recs, func(a, b NodeRecord) int { return strings.Compare(a.ID, b.ID) })
	return recs
}
