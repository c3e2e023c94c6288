package cimxml

import (
	"strings"
	"sync"

	"github.com/ferrum-virt/ferrum/cimom/cim"
)

// A classInfo is what the encoder needs of a class, looked up once: the
// declaration of each property by its exact name, with its CIM-XML type.
// Looking properties up through cim.Class.Property lower-cases the name
// and scans qualifiers every time, which dominated the cost of encoding
// large enumerations.
type classInfo struct {
	class *cim.Class
	props map[string]*propInfo
}

// propInfo is a property declaration and its EmbeddedObject kind.
type propInfo struct {
	decl     *cim.Property
	embedded string // "", "instance" or "object"
	// elem and start are the element and start tag of the property in
	// instances when class origins are not asked for.
	elem  string
	start []byte
}

func newClassInfo(c *cim.Class) *classInfo {
	ci := &classInfo{class: c, props: make(map[string]*propInfo, len(c.Properties))}
	for _, p := range c.Properties {
		ci.props[p.Name] = infoOf(p)
	}
	return ci
}

func infoOf(p *cim.Property) *propInfo {
	pi := &propInfo{decl: p}
	switch {
	case p.EmbeddedInstance() != "":
		pi.embedded = "instance"
	case p.IsEmbeddedObject():
		pi.embedded = "object"
	}
	var e encoder
	pi.elem = e.propertyStart(p.Name, typeOf(cim.Value{}, pi), pi, "", false)
	pi.start = e.b
	return pi
}

// property returns the information on the property named name, exactly or
// else case-insensitively; nil when the class has no such property.
func (ci *classInfo) property(name string) *propInfo {
	if ci == nil {
		return nil
	}
	if pi, ok := ci.props[name]; ok {
		return pi
	}
	if p := ci.class.Property(name); p != nil {
		return infoOf(p)
	}
	return nil
}

// classCache keeps a classInfo per class. Repository classes are
// immutable and replaced, not changed, so the class pointer is the key;
// the cache is emptied when it grows past its bound, so that replaced
// classes do not pile up.
type classCache struct {
	mu    sync.RWMutex
	infos map[*cim.Class]*classInfo
}

const classCacheMax = 4096

func (cc *classCache) get(c *cim.Class) *classInfo {
	cc.mu.RLock()
	ci := cc.infos[c]
	cc.mu.RUnlock()
	if ci != nil {
		return ci
	}
	ci = newClassInfo(c)
	cc.mu.Lock()
	if cc.infos == nil || len(cc.infos) >= classCacheMax {
		cc.infos = map[*cim.Class]*classInfo{}
	}
	cc.infos[c] = ci
	cc.mu.Unlock()
	return ci
}

// classLookup remembers the last class an encoder looked up, since
// enumerations return runs of instances of one class.
type classLookup struct {
	ns, name string
	info     *classInfo
}

func (l *classLookup) matches(ns, name string) bool {
	return l.info != nil && l.name == name && strings.EqualFold(l.ns, ns)
}
