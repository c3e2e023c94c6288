package wsman

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"text/template"
)

var update = flag.Bool("update", false, "rewrite the golden responses under testdata/")

// A goldenCase sends testdata/NAME.xml and compares the response with
// testdata/NAME.golden. The request is a text/template: setup may return
// values for it (an enumeration context, say).
type goldenCase struct {
	name  string
	user  string // default testUser; "-" sends no credentials, "!wrong" a wrong password
	setup func(e *testEnv) map[string]string
	check func(t *testing.T, e *testEnv, r response)
}

// runGolden runs the cases against fresh environments.
func runGolden(t *testing.T, cases []goldenCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newTestEnv(t)
			vars := map[string]string{}
			if c.setup != nil {
				vars = c.setup(e)
			}
			req, raw := renderRequest(t, c.name, vars)
			var r response
			switch c.user {
			case "":
				r = e.post(req, testUser)
			case "-":
				r = e.post(req, "")
			case "!wrong":
				r = e.postAs(req, testUser, "not the password")
			default:
				r = e.post(req, c.user)
			}
			compareGolden(t, c.name, raw, r)
			if c.check != nil {
				c.check(t, e, r)
			}
		})
	}
}

// renderRequest returns the request to send and the template it came from.
func renderRequest(t *testing.T, name string, vars map[string]string) (req, raw []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := template.New(name).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, vars); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), raw
}

func compareGolden(t *testing.T, name string, req []byte, r response) {
	t.Helper()
	got := normalizeResponse(t, req, r)
	file := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("response differs from %s:\n--- got\n%s\n--- want\n%s", file, got, want)
	}
}

var uuidRE = regexp.MustCompile(`uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// normalizeResponse renders a response for comparison: the status and
// content type, then the body indented, with the UUIDs the server made up
// (message IDs, enumeration contexts) numbered in order of appearance;
// req is the request template, whose own UUIDs stay as they are.
func normalizeResponse(t *testing.T, req []byte, r response) string {
	t.Helper()
	fromRequest := map[string]bool{}
	for _, u := range uuidRE.FindAllString(string(req), -1) {
		fromRequest[u] = true
	}
	names := map[string]string{}
	body := uuidRE.ReplaceAllStringFunc(string(r.body), func(u string) string {
		if fromRequest[u] {
			return u
		}
		if _, ok := names[u]; !ok {
			names[u] = fmt.Sprintf("uuid:generated-%d", len(names)+1)
		}
		return names[u]
	})
	head := fmt.Sprintf("HTTP %d\nContent-Type: %s\n", r.status, r.header.Get("Content-Type"))
	if wa := r.header.Get("WWW-Authenticate"); wa != "" {
		head += "WWW-Authenticate: " + wa + "\n"
	}
	if body == "" {
		return head
	}
	pretty, err := indentXML(body)
	if err != nil {
		t.Fatalf("response is not well-formed XML: %v\n%s", err, body)
	}
	return head + "\n" + pretty
}

// indentXML re-indents a document, one element per line and text-only
// elements on one line, keeping prefixes and attributes as written.
func indentXML(s string) (string, error) {
	d := xml.NewDecoder(strings.NewReader(s))
	var out strings.Builder
	depth := 0
	var pending *xml.StartElement // a start tag not yet closed with '>'
	var text strings.Builder
	name := func(n xml.Name) string {
		if n.Space != "" {
			return n.Space + ":" + n.Local
		}
		return n.Local
	}
	flushStart := func(selfClose bool) {
		if pending == nil {
			return
		}
		out.WriteString(strings.Repeat("  ", depth-1) + "<" + name(pending.Name))
		for _, a := range pending.Attr {
			var b bytes.Buffer
			_ = xml.EscapeText(&b, []byte(a.Value))
			fmt.Fprintf(&out, " %s=\"%s\"", name(a.Name), b.String())
		}
		if selfClose {
			out.WriteString("/>\n")
		} else {
			out.WriteString(">")
		}
		pending = nil
	}
	for {
		tok, err := d.RawToken()
		if err == io.EOF {
			return out.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch tk := tok.(type) {
		case xml.ProcInst:
			out.WriteString("<?" + tk.Target + " " + string(tk.Inst) + "?>\n")
		case xml.StartElement:
			if pending != nil {
				flushStart(false)
				out.WriteString("\n")
			}
			text.Reset()
			depth++
			se := tk.Copy()
			pending = &se
		case xml.CharData:
			text.Write(tk)
		case xml.EndElement:
			switch {
			case pending != nil && text.Len() == 0:
				flushStart(true)
			case pending != nil:
				flushStart(false)
				var b bytes.Buffer
				_ = xml.EscapeText(&b, []byte(text.String()))
				out.WriteString(b.String() + "</" + name(tk.Name) + ">\n")
			default:
				out.WriteString(strings.Repeat("  ", depth-1) + "</" + name(tk.Name) + ">\n")
			}
			text.Reset()
			depth--
		}
	}
}
