package mof

import "strings"

// parseQualifierList parses [ qualifier, qualifier, ... ].
func (p *parser) parseQualifierList() ([]*Qualifier, error) {
	if _, err := p.expect(LBracket, "'['"); err != nil {
		return nil, err
	}
	var quals []*Qualifier
	for {
		q, err := p.parseQualifier()
		if err != nil {
			return nil, err
		}
		quals = append(quals, q)
		if p.tok.Kind != Comma {
			break
		}
		if _, err := p.next(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(RBracket, "',' or ']' in qualifier list"); err != nil {
		return nil, err
	}
	return quals, nil
}

// parseQualifier parses Name [(constant) | {array}] [: flavor...].
func (p *parser) parseQualifier() (*Qualifier, error) {
	name, err := p.expect(Ident, "qualifier name")
	if err != nil {
		return nil, err
	}
	q := &Qualifier{Position: name.Pos, Name: name.Text}
	switch p.tok.Kind {
	case LParen:
		if _, err := p.next(); err != nil {
			return nil, err
		}
		if q.Value, err = p.parseConstant("qualifier value"); err != nil {
			return nil, err
		}
		if _, err := p.expect(RParen, "')' after qualifier value"); err != nil {
			return nil, err
		}
	case LBrace:
		if q.Value, err = p.parseArray(); err != nil {
			return nil, err
		}
	}
	if p.tok.Kind == Colon {
		if _, err := p.next(); err != nil {
			return nil, err
		}
		if q.Flavors, err = p.parseFlavors(); err != nil {
			return nil, err
		}
	}
	return q, nil
}

// parseFlavors parses one or more flavors separated by white space.
func (p *parser) parseFlavors() ([]Flavor, error) {
	var fl []Flavor
	for {
		f, ok := p.flavor()
		if !ok {
			if fl == nil {
				return nil, p.errExpected("flavor")
			}
			return fl, nil
		}
		fl = append(fl, f)
		if _, err := p.next(); err != nil {
			return nil, err
		}
	}
}

// flavor reports whether the current token is a flavor name and returns it
// with its canonical spelling.
func (p *parser) flavor() (Flavor, bool) {
	if p.tok.Kind != Ident || p.lexErr != nil {
		return Flavor{}, false
	}
	for _, name := range Flavors {
		if strings.EqualFold(p.tok.Text, name) {
			return Flavor{Pos: p.tok.Pos, Name: name}, true
		}
	}
	return Flavor{}, false
}

// scopeNames lists the meta-elements a qualifier declaration's scope may
// name. "schema" is accepted for old MOF.
var scopeNames = []string{
	"class", "association", "indication", "qualifier", "property",
	"reference", "method", "parameter", "any", "schema",
}

// parseQualifierDecl parses
// Qualifier Name : type [array] [= default], Scope(...) [, Flavor(...)];
func (p *parser) parseQualifierDecl() (*QualifierDecl, error) {
	kw, err := p.next()
	if err != nil {
		return nil, err
	}
	name, err := p.expect(Ident, "qualifier name")
	if err != nil {
		return nil, err
	}
	d := &QualifierDecl{Position: kw.Pos, Name: name.Text}
	if _, err := p.expect(Colon, "':' after qualifier name"); err != nil {
		return nil, err
	}
	if d.Type, err = p.parseIntrinsicType(); err != nil {
		return nil, err
	}
	if err := p.parseArraySuffix(&d.Type); err != nil {
		return nil, err
	}
	if d.Default, err = p.parseOptionalDefault(); err != nil {
		return nil, err
	}
	if d.Scopes, err = p.parseScope(); err != nil {
		return nil, err
	}
	if p.tok.Kind == Comma {
		if d.Flavors, err = p.parseDefaultFlavor(); err != nil {
			return nil, err
		}
	}
	if _, err := p.expect(Semicolon, "';' after qualifier declaration"); err != nil {
		return nil, err
	}
	return d, nil
}

// parseScope parses , Scope(element, ...).
func (p *parser) parseScope() ([]string, error) {
	if _, err := p.expect(Comma, "',' before Scope"); err != nil {
		return nil, err
	}
	var scopes []string
	err := p.parseNameList("scope", func() error {
		for _, s := range scopeNames {
			if p.is(s) {
				scopes = append(scopes, s)
				_, err := p.next()
				return err
			}
		}
		return p.errExpected("scope element (class, association, indication, property, reference, method, parameter or any)")
	})
	return scopes, err
}

// parseDefaultFlavor parses , Flavor(flavor, ...).
func (p *parser) parseDefaultFlavor() ([]Flavor, error) {
	if _, err := p.next(); err != nil {
		return nil, err
	}
	var fl []Flavor
	err := p.parseNameList("flavor", func() error {
		f, ok := p.flavor()
		if !ok {
			return p.errExpected("flavor (EnableOverride, DisableOverride, Restricted, ToSubclass or Translatable)")
		}
		fl = append(fl, f)
		_, err := p.next()
		return err
	})
	return fl, err
}

// parseNameList parses keyword(item, item, ...), calling item for each entry.
func (p *parser) parseNameList(keyword string, item func() error) error {
	if _, err := p.keyword(keyword); err != nil {
		return err
	}
	if _, err := p.expect(LParen, "'(' after "+keyword); err != nil {
		return err
	}
	for {
		if err := item(); err != nil {
			return err
		}
		if p.tok.Kind != Comma {
			break
		}
		if _, err := p.next(); err != nil {
			return err
		}
	}
	_, err := p.expect(RParen, "',' or ')' in "+keyword+" list")
	return err
}
