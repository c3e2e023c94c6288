package mof

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unsafe"
)

// maxIncludeDepth bounds how deeply includes may nest.
const maxIncludeDepth = 64

// maxTotalErrors bounds the errors ParseAll collects over all files.
const maxTotalErrors = 100

// A Result is what ParseAll read.
type Result struct {
	// Files holds every file parsed, in the order they were opened.
	Files []*File
	// Decls holds the declarations and pragmas in compilation order: each
	// include pragma is replaced by the contents of the included file.
	// Every declaration's Context is the pragma state in effect at its
	// place in that order.
	Decls []Decl
	// Warnings collects the files' warnings in the same order.
	Warnings []Warning
}

// ParseAll parses the file root and, depth-first in source order, the files
// its #pragma include directives name, as if their text stood in place of the
// pragma. Pragma state (namespace, locale, instancelocale) therefore flows
// from a file into the files it includes and back out again. A file may be
// included more than once; an include cycle is an error. Missing files,
// cycles and syntax errors are reported with the position of the offending
// pragma or text, as an ErrorList; the Result then holds everything that
// could be parsed.
func ParseAll(l Loader, root string) (*Result, error) {
	w := &walker{loader: l, res: &Result{}}
	w.include(root, "", Position{File: root})
	return w.res, w.errs.Err()
}

// A walker follows includes and flattens the files' declarations.
type walker struct {
	loader Loader
	res    *Result
	errs   ErrorList
	stack  []string // resolved paths of the files being walked
	ctx    Context
}

// include parses the file name refers to from the file from, at the pragma
// position at, and walks its declarations.
func (w *walker) include(name, from string, at Position) {
	if len(w.errs) >= maxTotalErrors {
		return
	}
	path, data, err := w.loader.Open(name, from)
	if err != nil {
		w.fail(&ParseError{Pos: at, Msg: fmt.Sprintf("cannot read %q: %v", name, err), Err: err})
		return
	}
	for i, p := range w.stack {
		if p == path {
			chain := strings.Join(slices.Concat(w.stack[i:], []string{path}), " -> ")
			w.fail(&ParseError{Pos: at, Msg: "include cycle: " + chain, Err: ErrIncludeCycle})
			return
		}
	}
	if len(w.stack) >= maxIncludeDepth {
		w.fail(errorf(at, "includes nest more than %d deep", maxIncludeDepth))
		return
	}
	// The loader handed the data over, so the tree may share it.
	f, errs := parseSource(path, unsafe.String(unsafe.SliceData(data), len(data)))
	w.res.Files = append(w.res.Files, f)
	w.res.Warnings = append(w.res.Warnings, f.Warnings...)
	for _, e := range errs {
		w.fail(e)
	}
	w.stack = append(w.stack, path)
	w.walk(f, path)
	w.stack = w.stack[:len(w.stack)-1]
}

// walk appends f's declarations to the result, expanding includes.
func (w *walker) walk(f *File, path string) {
	for _, d := range f.Decls {
		p, ok := d.(*Pragma)
		switch {
		case ok && p.Name == PragmaInclude:
			w.include(p.Value, path, p.Position)
			continue
		case ok:
			w.ctx.apply(p)
		default:
			setContext(d, w.ctx)
		}
		w.res.Decls = append(w.res.Decls, d)
	}
}

func (w *walker) fail(e *ParseError) {
	if len(w.errs) < maxTotalErrors {
		w.errs = append(w.errs, e)
	}
}

// ErrIncludeCycle is wrapped by the error reported for an include cycle.
var ErrIncludeCycle = errors.New("include cycle")
