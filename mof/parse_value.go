package mof

import "unicode/utf8"

// parseConstant parses a constant: integer, real, string (adjacent literals
// joined), char16, boolean or NULL. what names it in errors.
func (p *parser) parseConstant(what string) (Value, error) {
	if p.tok.Kind == String {
		return p.parseString(what)
	}
	switch p.tok.Kind {
	case Integer, Real, Char, Bool, Null:
	default:
		return nil, p.errExpected(what)
	}
	tok, err := p.next()
	if err != nil {
		return nil, err
	}
	switch tok.Kind {
	case Integer:
		return parseInt(tok)
	case Real:
		return parseReal(tok)
	case Char:
		r, _ := utf8.DecodeRuneInString(tok.Value)
		return &CharValue{Position: tok.Pos, Value: r}, nil
	case Bool:
		return &BoolValue{Position: tok.Pos, Value: len(tok.Text) == 4}, nil
	}
	return &NullValue{Position: tok.Pos}, nil
}

// parseInitializer parses a property, parameter or qualifier default, or an
// instance property value: a constant, an array, an alias or an embedded
// instance.
func (p *parser) parseInitializer() (Value, error) {
	switch {
	case p.tok.Kind == LBrace:
		return p.parseArray()
	case p.tok.Kind == Alias || p.is("instance"):
		return p.parseElement()
	}
	return p.parseConstant("value (constant, array, alias or instance)")
}

// parseArray parses { element, ... }, which may be empty.
func (p *parser) parseArray() (*ArrayValue, error) {
	open, err := p.expect(LBrace, "'{'")
	if err != nil {
		return nil, err
	}
	arr := &ArrayValue{Position: open.Pos}
	if p.tok.Kind == RBrace {
		_, err := p.next()
		return arr, err
	}
	for {
		v, err := p.parseElement()
		if err != nil {
			return nil, err
		}
		arr.Elements = append(arr.Elements, v)
		if p.tok.Kind != Comma {
			break
		}
		if _, err := p.next(); err != nil {
			return nil, err
		}
	}
	_, err = p.expect(RBrace, "',' or '}' in array")
	return arr, err
}

// parseElement parses an array element or scalar non-constant value: a
// constant, an alias reference or an embedded instance.
func (p *parser) parseElement() (Value, error) {
	switch {
	case p.tok.Kind == Alias:
		tok, err := p.next()
		if err != nil {
			return nil, err
		}
		return &AliasValue{Position: tok.Pos, Name: tok.Value}, nil
	case p.is("instance"):
		if p.nesting >= maxNesting {
			return nil, errorf(p.tok.Pos, "embedded instances nest more than %d deep", maxNesting)
		}
		p.nesting++
		defer func() { p.nesting-- }()
		return p.parseInstance(p.tok.Pos, nil)
	}
	return p.parseConstant("value (constant, alias or instance)")
}

// parseInstance parses instance of Class [as $Alias] { Prop = value; ... },
// without the ';' that ends a top-level instance declaration.
func (p *parser) parseInstance(start Position, quals []*Qualifier) (*InstanceDecl, error) {
	if _, err := p.next(); err != nil {
		return nil, err
	}
	if _, err := p.keyword("of"); err != nil {
		return nil, err
	}
	class, err := p.expect(Ident, "class name")
	if err != nil {
		return nil, err
	}
	d := &InstanceDecl{Position: start, Qualifiers: quals, ClassName: class.Text, ClassPos: class.Pos}
	if d.Alias, err = p.parseOptionalAlias(); err != nil {
		return nil, err
	}
	if _, err := p.expect(LBrace, "'{' to open the instance body"); err != nil {
		return nil, err
	}
	for p.tok.Kind != RBrace {
		pv, err := p.parsePropertyValue()
		if err != nil {
			return nil, err
		}
		d.Properties = append(d.Properties, pv)
	}
	_, err = p.next()
	return d, err
}

// parsePropertyValue parses [quals] Name = initializer ;
func (p *parser) parsePropertyValue() (*PropertyValue, error) {
	pv := &PropertyValue{Position: p.tok.Pos}
	var err error
	if p.tok.Kind == LBracket {
		if pv.Qualifiers, err = p.parseQualifierList(); err != nil {
			return nil, err
		}
	}
	name, err := p.expect(Ident, "property name or '}'")
	if err != nil {
		return nil, err
	}
	pv.Name = name.Text
	if _, err := p.expect(Equals, "'=' after property name"); err != nil {
		return nil, err
	}
	if pv.Value, err = p.parseInitializer(); err != nil {
		return nil, err
	}
	_, err = p.expect(Semicolon, "';' after property value")
	return pv, err
}
