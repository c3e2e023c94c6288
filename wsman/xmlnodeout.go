package wsman

import (
	"bytes"
	"strconv"
)

// nodesXML writes parsed elements back as XML that stands on its own
// wherever it is pasted: every element declares the namespace of its own
// name, and every namespaced attribute a prefix of its own. Reference
// parameters are kept this way and echoed as headers.
func nodesXML(nodes []*node) string {
	var b bytes.Buffer
	for _, n := range nodes {
		writeNode(xw{&b}, n)
	}
	return b.String()
}

// writeNode writes n and its subtree. Character data comes before the
// children: reference parameters do not mix the two.
func writeNode(w xw, n *node) {
	tag := n.Local
	var attrs []string
	if n.Space != "" {
		tag = "r:" + n.Local
		attrs = append(attrs, "xmlns:r", n.Space)
	}
	for i, a := range n.Attrs {
		switch a.Name.Space {
		case "":
			attrs = append(attrs, a.Name.Local, a.Value)
		case nsXML:
			attrs = append(attrs, "xml:"+a.Name.Local, a.Value)
		default:
			p := "a" + strconv.Itoa(i)
			attrs = append(attrs, "xmlns:"+p, a.Name.Space, p+":"+a.Name.Local, a.Value)
		}
	}
	if len(n.Children) == 0 && n.Text == "" {
		w.empty(tag, attrs...)
		return
	}
	w.open(tag, attrs...)
	w.text(n.Text)
	for _, c := range n.Children {
		writeNode(w, c)
	}
	w.close(tag)
}
