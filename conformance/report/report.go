// Package report writes a conformance run as text, JUnit XML (for CI
// systems) and HTML (for people).
package report

import (
	"encoding/xml"
	"fmt"
	"html/template"
	"io"

	"github.com/ferrum-virt/ferrum/conformance"
)

// Text writes one line per result and the summary line.
func Text(w io.Writer, r *conformance.Report) error {
	for _, res := range r.Results {
		line := fmt.Sprintf("%-4s %-8s %-7s %s [%s]", res.Status, res.Profile, res.Protocol, res.Check, res.Requirement)
		if res.Reason != "" {
			line += "\n       " + res.Reason
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
}

// JUnit writes the report as JUnit XML: one testsuite per profile, one
// testcase per check and protocol.
func JUnit(w io.Writer, r *conformance.Report) error {
	p, f, s := r.Counts()
	out := junitSuites{Name: "conformance " + r.Target, Tests: p + f + s, Failures: f, Skipped: s}
	index := map[string]int{}
	for _, res := range r.Results {
		i, ok := index[res.Profile]
		if !ok {
			i = len(out.Suites)
			index[res.Profile] = i
			out.Suites = append(out.Suites, junitSuite{Name: res.Profile})
		}
		c := junitCase{Name: res.Check + " (" + res.Protocol + ")", Classname: "conformance." + res.Profile, SystemOut: res.Requirement}
		su := &out.Suites[i]
		su.Tests++
		switch res.Status {
		case conformance.Fail:
			c.Failure = &junitMessage{Message: res.Reason}
			su.Failures++
		case conformance.Skip:
			c.Skipped = &junitMessage{Message: res.Reason}
			su.Skipped++
		}
		su.Cases = append(su.Cases, c)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	return enc.Encode(out)
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Conformance: {{.Target}}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}
.PASS{color:#060}.FAIL{color:#b00;font-weight:bold}.SKIP{color:#777}</style></head>
<body><h1>Conformance of {{.Target}}</h1><p>{{.Summary}}</p>
<table><tr><th>Status</th><th>Profile</th><th>Protocol</th><th>Check</th><th>Requirement</th><th>Reason</th></tr>
{{range .Results}}<tr><td class="{{.Status}}">{{.Status}}</td><td>{{.Profile}}</td><td>{{.Protocol}}</td><td>{{.Check}}</td><td>{{.Requirement}}</td><td>{{.Reason}}</td></tr>
{{end}}</table></body></html>
`))

// HTML writes the report as a single HTML page.
func HTML(w io.Writer, r *conformance.Report) error {
	return page.Execute(w, r)
}
