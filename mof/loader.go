package mof

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// A Loader finds and reads MOF source files for ParseAll.
//
// Open reads the file that name designates. from is the resolved path of the
// file whose #pragma include names it, or "" for the root file; a relative
// name is looked up first beside from. Open returns the resolved path, which
// positions show and which comes back as from for the file's own includes.
// A missing file is reported with an error wrapping fs.ErrNotExist. The
// data is handed over: the parse tree refers to it, so it must not be
// modified afterwards.
type Loader interface {
	Open(name, from string) (path string, data []byte, err error)
}

// DirLoader reads files from the operating system. A relative include is
// looked up in the including file's directory, then in Dir; a root file is
// looked up in Dir ("" means the working directory). Backslashes in names are
// taken as separators, as MOF written on Windows uses them.
type DirLoader struct {
	Dir string
}

// Open implements Loader.
func (l DirLoader) Open(name, from string) (string, []byte, error) {
	name = filepath.FromSlash(slashed(name))
	if filepath.IsAbs(name) {
		data, err := os.ReadFile(name)
		return name, data, err
	}
	var candidates []string
	if from != "" {
		candidates = append(candidates, filepath.Join(filepath.Dir(from), name))
	}
	candidates = append(candidates, filepath.Join(l.Dir, name))
	return openFirst(candidates, os.ReadFile)
}

// FSLoader reads files from a file system such as an embed.FS or a zip.Reader.
// Paths are slash-separated and relative to the root of FS; a relative
// include is looked up in the including file's directory, then at the root.
type FSLoader struct {
	FS fs.FS
}

// Open implements Loader.
func (l FSLoader) Open(name, from string) (string, []byte, error) {
	name = slashed(name)
	var candidates []string
	if from != "" && !path.IsAbs(name) {
		candidates = append(candidates, path.Join(path.Dir(from), name))
	}
	candidates = append(candidates, path.Clean(strings.TrimLeft(name, "/")))
	return openFirst(candidates, func(p string) ([]byte, error) {
		if !fs.ValidPath(p) {
			return nil, &fs.PathError{Op: "open", Path: p, Err: fs.ErrNotExist}
		}
		return fs.ReadFile(l.FS, p)
	})
}

// A ZipLoader reads files from a zip archive, such as the DMTF's
// cim_schema_X.Y.Z-MOFs.zip, by their paths inside the archive.
type ZipLoader struct {
	FSLoader
	closer io.Closer
}

// OpenZip opens the zip archive at file. Close it when done.
func OpenZip(file string) (*ZipLoader, error) {
	rc, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("open MOF archive: %w", err)
	}
	return &ZipLoader{FSLoader: FSLoader{FS: &rc.Reader}, closer: rc}, nil
}

// NewZipLoader reads a zip archive of size bytes from r.
func NewZipLoader(r io.ReaderAt, size int64) (*ZipLoader, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("read MOF archive: %w", err)
	}
	return &ZipLoader{FSLoader: FSLoader{FS: zr}}, nil
}

// Close closes the archive file if OpenZip opened it.
func (l *ZipLoader) Close() error {
	if l.closer == nil {
		return nil
	}
	return l.closer.Close()
}

// slashed turns backslash separators into slashes.
func slashed(name string) string { return strings.ReplaceAll(name, `\`, "/") }

// openFirst reads the first candidate that exists. If none does, it returns
// the error for the first candidate.
func openFirst(candidates []string, read func(string) ([]byte, error)) (string, []byte, error) {
	var first error
	for _, c := range candidates {
		data, err := read(c)
		if err == nil {
			return c, data, nil
		}
		if first == nil {
			first = err
		}
		if !errors.Is(err, fs.ErrNotExist) {
			break
		}
	}
	return candidates[0], nil, first
}
