package cimxml

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden responses under testdata/golden")

// TestGolden sends every testdata/golden/*.req.xml request to a fresh
// fixture and compares the response with its .resp.txt file.
//
// Requests of one group (NAME-N or NAME-N-what) share a fixture and run in
// the order of N: pull sequences and create/get/delete flows. In
// a request body, {{ctx}} stands for the last EnumerationContext the group
// received; responses show it as {{ctx}} too. The CIMMethod and CIMObject
// headers are derived from the body unless NAME.req.headers (lines of
// "Name: value", "Name:" to drop a header, "Method: M-POST" for the HTTP
// method) says otherwise.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.req.xml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden requests: %v", err)
	}
	groups := map[string][]string{}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".req.xml")
		groups[groupOf(name)] = append(groups[groupOf(name)], name)
	}
	var names []string
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	for _, g := range names {
		steps := groups[g]
		sort.Slice(steps, func(i, j int) bool { return stepOf(steps[i]) < stepOf(steps[j]) })
		t.Run(g, func(t *testing.T) {
			f := newFixture(t, 3, nil)
			ctxID := ""
			for _, step := range steps {
				got := runGolden(t, f, step, &ctxID)
				compareGolden(t, filepath.Join("testdata/golden", step+".resp.txt"), got)
			}
		})
	}
}

// stepName matches the requests of a group: "pull-enumerate-2-pull" is
// step 2 of group "pull-enumerate".
var stepName = regexp.MustCompile(`^(.*?)-(\d+)(-.*)?$`)

func groupOf(name string) string {
	if m := stepName.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return name
}

func stepOf(name string) int {
	m := stepName.FindStringSubmatch(name)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[2])
	return n
}

// contextID matches enumeration context identifiers wherever they appear.
var contextID = regexp.MustCompile(`\b[0-9a-f]{32}\b`)

var ctxValue = regexp.MustCompile(`(<PARAMVALUE NAME="EnumerationContext" PARAMTYPE="string"><VALUE>)([0-9a-f]{32})(</VALUE>)`)

// runGolden sends one golden request and renders the response as text.
func runGolden(t *testing.T, f *fixture, name string, ctxID *string) string {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata/golden", name+".req.xml"))
	if err != nil {
		t.Fatal(err)
	}
	body = bytes.ReplaceAll(body, []byte("{{ctx}}"), []byte(*ctxID))
	r := httptest.NewRequest(http.MethodPost, "/cimom", bytes.NewReader(body))
	setDerivedHeaders(r, body)
	if err := applyHeaderFile(r, filepath.Join("testdata/golden", name+".req.headers")); err != nil {
		t.Fatal(err)
	}
	w := f.serve("alice", r)
	out := w.Body.Bytes()
	if m := ctxValue.FindSubmatch(out); m != nil {
		*ctxID = string(m[2])
	}
	out = contextID.ReplaceAll(out, []byte("{{ctx}}"))
	return renderResponse(t, w.Code, w.Header(), out)
}

// setDerivedHeaders sets the CIM headers a well-behaved client sends for
// body.
func setDerivedHeaders(r *http.Request, body []byte) {
	r.Header.Set("Content-Type", `application/xml; charset="utf-8"`)
	r.Header.Set("CIMOperation", "MethodCall")
	r.Header.Set("CIMProtocolVersion", "1.0")
	root, err := parseXML(bytes.NewReader(body), defaultXMLLimits)
	if err != nil {
		return
	}
	msg := root.child("MESSAGE")
	if msg == nil || msg.child("SIMPLEREQ") == nil {
		return
	}
	for _, k := range msg.child("SIMPLEREQ").kids {
		if k.name != "IMETHODCALL" && k.name != "METHODCALL" {
			continue
		}
		r.Header.Set("CIMMethod", k.attrOr("NAME", ""))
		if len(k.kids) == 0 {
			return
		}
		if k.name == "IMETHODCALL" {
			if nsName, err := decodeNamespace(k.kids[0]); err == nil {
				r.Header.Set("CIMObject", strings.ReplaceAll(nsName, "/", "%2F"))
			}
		} else if p, err := decodePath(k.kids[0]); err == nil {
			r.Header.Set("CIMObject", encodeObjectHeader(p.String()))
		}
	}
}

// encodeObjectHeader percent-encodes a CIMObject value the way pywbem does.
func encodeObjectHeader(s string) string {
	s = strings.TrimPrefix(s, "/")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"%<>\^`+"`{|}", c) >= 0 {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func applyHeaderFile(r *http.Request, file string) error {
	data, err := os.ReadFile(file)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return fmt.Errorf("%s: bad line %q", file, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case k == "Method":
			r.Method = v
		case v == "":
			r.Header.Del(k)
		default:
			r.Header.Set(k, v)
		}
	}
	return sc.Err()
}

// renderResponse writes the status, the headers that matter and the body,
// indented when it is XML.
func renderResponse(t *testing.T, code int, hdr http.Header, body []byte) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "HTTP %d\n", code)
	var keys []string
	for k := range hdr {
		switch k {
		case "Date", "Content-Length", "X-Content-Type-Options":
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %s\n", k, strings.Join(hdr[k], ", "))
	}
	b.WriteString("\n")
	if strings.HasPrefix(hdr.Get("Content-Type"), "application/xml") {
		pretty, err := indentXML(body)
		if err != nil {
			t.Fatalf("the response is not well-formed XML: %v\n%s", err, body)
		}
		b.WriteString(pretty)
	} else {
		b.Write(body)
	}
	return b.String()
}

// indentXML re-indents a CIM-XML document, one element per line, keeping
// text content exactly (escaped again).
func indentXML(doc []byte) (string, error) {
	d := xml.NewDecoder(bytes.NewReader(doc))
	var b strings.Builder
	depth := 0
	pendingOpen := false // a start tag written without its ">"
	var text []byte
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
		switch tk := tok.(type) {
		case xml.ProcInst:
			fmt.Fprintf(&b, "<?%s %s?>\n", tk.Target, tk.Inst)
		case xml.StartElement:
			if pendingOpen {
				b.WriteString(">\n")
			}
			b.WriteString(strings.Repeat("  ", depth) + "<" + tk.Name.Local)
			for _, a := range tk.Attr {
				b.WriteString(" " + a.Name.Local + `="` + string(appendEscaped(nil, a.Value, true)) + `"`)
			}
			pendingOpen, text = true, nil
			depth++
		case xml.CharData:
			text = append(text, tk...)
		case xml.EndElement:
			depth--
			switch {
			case pendingOpen && len(text) == 0:
				b.WriteString("/>\n")
			case pendingOpen:
				b.WriteString(">" + string(appendEscaped(nil, string(text), false)) + "</" + tk.Name.Local + ">\n")
			default:
				b.WriteString(strings.Repeat("  ", depth) + "</" + tk.Name.Local + ">\n")
			}
			pendingOpen, text = false, nil
		}
	}
	return b.String(), nil
}

func compareGolden(t *testing.T, file, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -run TestGolden -update to create it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test -run TestGolden -update rewrites it):\n%s", file, diffLines(string(want), got))
	}
}

// diffLines shows the first lines where want and got differ.
func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\nwant: %s\ngot:  %s", i+1, wl, gl)
		}
	}
	return ""
}
