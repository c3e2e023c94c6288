package mof

import "strings"

// parseClass parses class Name [as $Alias] [: Super] { features };
// start and quals come from the qualifier list already read, if any.
func (p *parser) parseClass(start Position, quals []*Qualifier) (*ClassDecl, error) {
	if _, err := p.next(); err != nil {
		return nil, err
	}
	name, err := p.expect(Ident, "class name")
	if err != nil {
		return nil, err
	}
	d := &ClassDecl{Position: start, Qualifiers: quals, Name: name.Text, NamePos: name.Pos}
	if d.Alias, err = p.parseOptionalAlias(); err != nil {
		return nil, err
	}
	if p.tok.Kind == Colon {
		if _, err := p.next(); err != nil {
			return nil, err
		}
		super, err := p.expect(Ident, "superclass name")
		if err != nil {
			return nil, err
		}
		d.SuperClass, d.SuperPos = super.Text, super.Pos
	}
	if _, err := p.expect(LBrace, "'{' to open the class body"); err != nil {
		return nil, err
	}
	for p.tok.Kind != RBrace {
		f, err := p.parseFeature()
		if err != nil {
			return nil, err
		}
		d.Features = append(d.Features, f)
	}
	if _, err := p.next(); err != nil {
		return nil, err
	}
	if _, err := p.expect(Semicolon, "';' after class body"); err != nil {
		return nil, err
	}
	return d, nil
}

// parseOptionalAlias parses an optional "as $Alias" and returns the name.
func (p *parser) parseOptionalAlias() (string, error) {
	if !p.is("as") {
		return "", nil
	}
	if _, err := p.next(); err != nil {
		return "", err
	}
	a, err := p.expect(Alias, "alias ($Name) after 'as'")
	return a.Value, err
}

// parseFeature parses a property, reference or method declaration.
func (p *parser) parseFeature() (Feature, error) {
	start := p.tok.Pos
	var quals []*Qualifier
	if p.tok.Kind == LBracket {
		var err error
		if quals, err = p.parseQualifierList(); err != nil {
			return nil, err
		}
	}
	typ, err := p.parseType("data type or class name of a property, reference or method")
	if err != nil {
		return nil, err
	}
	name, err := p.expect(Ident, "property or method name")
	if err != nil {
		return nil, err
	}
	if p.tok.Kind == LParen {
		m := &MethodDecl{Position: start, Qualifiers: quals, ReturnType: typ, Name: name.Text, NamePos: name.Pos}
		if m.Parameters, err = p.parseParameters(); err != nil {
			return nil, err
		}
		_, err = p.expect(Semicolon, "';' after method declaration")
		return m, err
	}
	prop := &PropertyDecl{Position: start, Qualifiers: quals, Type: typ, Name: name.Text, NamePos: name.Pos}
	if typ.Ref && p.tok.Kind == LBracket {
		return nil, errorf(p.tok.Pos, "reference %s cannot be an array: only parameters may be arrays of references", name.Text)
	}
	if err := p.parseArraySuffix(&prop.Type); err != nil {
		return nil, err
	}
	if prop.Default, err = p.parseOptionalDefault(); err != nil {
		return nil, err
	}
	_, err = p.expect(Semicolon, "';' after property declaration")
	return prop, err
}

// parseParameters parses ( [parameter, ...] ).
func (p *parser) parseParameters() ([]*Parameter, error) {
	if _, err := p.next(); err != nil {
		return nil, err
	}
	var params []*Parameter
	if p.tok.Kind == RParen {
		_, err := p.next()
		return params, err
	}
	for {
		prm, err := p.parseParameter()
		if err != nil {
			return nil, err
		}
		params = append(params, prm)
		if p.tok.Kind != Comma {
			break
		}
		if _, err := p.next(); err != nil {
			return nil, err
		}
	}
	_, err := p.expect(RParen, "',' or ')' in parameter list")
	return params, err
}

// parseParameter parses [quals] type|Class REF name [array] [= default].
func (p *parser) parseParameter() (*Parameter, error) {
	start := p.tok.Pos
	prm := &Parameter{Position: start}
	var err error
	if p.tok.Kind == LBracket {
		if prm.Qualifiers, err = p.parseQualifierList(); err != nil {
			return nil, err
		}
	}
	if prm.Type, err = p.parseType("data type or class name of a parameter"); err != nil {
		return nil, err
	}
	name, err := p.expect(Ident, "parameter name")
	if err != nil {
		return nil, err
	}
	prm.Name, prm.NamePos = name.Text, name.Pos
	if err := p.parseArraySuffix(&prm.Type); err != nil {
		return nil, err
	}
	prm.Default, err = p.parseOptionalDefault()
	return prm, err
}

// parseType parses an intrinsic data type or ClassName REF.
func (p *parser) parseType(what string) (Type, error) {
	tok, err := p.expect(Ident, what)
	if err != nil {
		return Type{}, err
	}
	if t, ok := intrinsic(tok); ok {
		return t, nil
	}
	if !p.is("ref") {
		return Type{}, p.errExpected("'REF' after class name " + tok.Text + " (or an intrinsic data type)")
	}
	if _, err := p.next(); err != nil {
		return Type{}, err
	}
	return Type{Pos: tok.Pos, Name: tok.Text, Ref: true}, nil
}

// parseIntrinsicType parses one of the intrinsic data type names.
func (p *parser) parseIntrinsicType() (Type, error) {
	if t, ok := intrinsic(p.tok); ok && p.lexErr == nil {
		_, err := p.next()
		return t, err
	}
	return Type{}, p.errExpected("intrinsic data type")
}

// intrinsic returns the type tok names if it is an intrinsic data type.
func intrinsic(tok Token) (Type, bool) {
	if tok.Kind != Ident {
		return Type{}, false
	}
	for _, name := range IntrinsicTypes {
		if len(name) == len(tok.Text) && strings.EqualFold(name, tok.Text) {
			return Type{Pos: tok.Pos, Name: name}, true
		}
	}
	return Type{}, false
}

// parseArraySuffix parses an optional [ ] or [ n ] into t.
func (p *parser) parseArraySuffix(t *Type) error {
	if p.tok.Kind != LBracket {
		return nil
	}
	if _, err := p.next(); err != nil {
		return err
	}
	t.Array = true
	if p.tok.Kind == Integer {
		size, err := p.parseArraySize()
		if err != nil {
			return err
		}
		t.ArraySize = size
	}
	_, err := p.expect(RBracket, "array size or ']'")
	return err
}

// parseArraySize parses the positive decimal size of a fixed-size array.
func (p *parser) parseArraySize() (int, error) {
	tok, err := p.next()
	if err != nil {
		return 0, err
	}
	v, err := parseInt(tok)
	if err != nil {
		return 0, err
	}
	if v.Negative || v.Magnitude == 0 || v.Magnitude > 1<<31-1 || tok.Text[0] == '+' {
		return 0, errorf(tok.Pos, "array size %s is not a positive integer", tok.Text)
	}
	return int(v.Magnitude), nil
}

// parseOptionalDefault parses an optional "= initializer".
func (p *parser) parseOptionalDefault() (Value, error) {
	if p.tok.Kind != Equals {
		return nil, nil
	}
	if _, err := p.next(); err != nil {
		return nil, err
	}
	return p.parseInitializer()
}
