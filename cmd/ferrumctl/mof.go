package main

import (
	"archive/zip"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferrum-virt/ferrum/cimom/repo"
	"github.com/ferrum-virt/ferrum/mof"
)

type mofOptions struct {
	namespace string
	root      string
}

func newMOFCommand() *cobra.Command {
	opts := &mofOptions{}
	cmd := &cobra.Command{
		Use:   "mof",
		Short: "Check MOF files and list the classes they declare",
	}
	cmd.PersistentFlags().StringVar(&opts.namespace, "namespace", "root/cimv2", "namespace to compile into until a #pragma namespace says otherwise")
	cmd.PersistentFlags().StringVar(&opts.root, "root", "", "root file inside a .zip (default: the one top-level .mof, or cim_schema_*.mof)")
	cmd.AddCommand(&cobra.Command{
		Use:   "check FILE...",
		Short: "Compile MOF files (or .zip archives of them); print file:line:col errors and exit 1 if any",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := compileFiles(c.ErrOrStderr(), opts, args)
			if err != nil {
				return err
			}
			for _, ns := range r.Namespaces() {
				classes, _ := r.Classes(ns)
				quals, _ := r.QualifierDecls(ns)
				fmt.Fprintf(c.OutOrStdout(), "%s: %d classes, %d qualifier declarations\n", ns, len(classes), len(quals))
			}
			return nil
		},
	})
	cmd.AddCommand(&cobra.Command{
		Use:   "classes FILE...",
		Short: "List the classes the MOF files declare, one a line, with their superclass",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			r, err := compileFiles(c.ErrOrStderr(), opts, args)
			if err != nil {
				return err
			}
			for _, ns := range r.Namespaces() {
				classes, _ := r.Classes(ns)
				for _, cl := range classes {
					if cl.SuperClass == "" {
						fmt.Fprintln(c.OutOrStdout(), cl.Name)
					} else {
						fmt.Fprintf(c.OutOrStdout(), "%s : %s\n", cl.Name, cl.SuperClass)
					}
				}
			}
			return nil
		},
	})
	return cmd
}

// compileFiles compiles each file in turn into one repository, so later
// files may use what earlier ones declare. Errors are printed to errOut and
// reported as exit status 1.
func compileFiles(errOut io.Writer, opts *mofOptions, files []string) (*repo.Repository, error) {
	r := repo.New()
	failed := false
	for _, f := range files {
		res, err := parseFile(opts, f)
		if res != nil {
			for _, w := range res.Warnings {
				fmt.Fprintln(errOut, "warning:", w)
			}
		}
		if err == nil {
			c := &mof.Compiler{Target: r, DefaultNamespace: opts.namespace}
			err = c.Compile(res.Decls)
		}
		if err != nil {
			failed = true
			printErrors(errOut, f, err)
		}
	}
	if failed {
		return nil, exitError{1}
	}
	return r, nil
}

func printErrors(w io.Writer, file string, err error) {
	var list mof.ErrorList
	if errors.As(err, &list) {
		fmt.Fprint(w, list.Detail())
		return
	}
	fmt.Fprintf(w, "%s: %v\n", file, err)
}

func parseFile(opts *mofOptions, file string) (*mof.Result, error) {
	if !strings.EqualFold(filepath.Ext(file), ".zip") {
		return mof.ParseAll(mof.DirLoader{Dir: filepath.Dir(file)}, filepath.Base(file))
	}
	z, err := mof.OpenZip(file)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", file, err)
	}
	defer z.Close()
	root := opts.root
	if root == "" {
		if root, err = zipRoot(file); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	return mof.ParseAll(z, root)
}

// zipRoot picks the root file of an archive: its only top-level .mof file
// other than qualifier declarations, or the cim_schema_*.mof file of a DMTF
// release.
func zipRoot(file string) (string, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return "", err
	}
	defer zr.Close()
	var top []string
	for _, f := range zr.File {
		n := f.Name
		if !strings.Contains(strings.TrimPrefix(n, "/"), "/") && strings.EqualFold(path.Ext(n), ".mof") {
			top = append(top, n)
		}
	}
	sort.Strings(top)
	var candidates []string
	for _, n := range top {
		low := strings.ToLower(n)
		if strings.HasPrefix(low, "cim_schema") {
			return n, nil
		}
		if !strings.HasPrefix(low, "qualifiers") {
			candidates = append(candidates, n)
		}
	}
	if len(candidates) == 1 {
		return candidates[0], nil
	}
	return "", fmt.Errorf("cannot tell the root file among %v: name it with --root", top)
}
