package query

import (
	"errors"
	"fmt"
)

// A likeToken is one element of a compiled LIKE pattern.
type likeToken struct {
	kind   likeKind
	r      rune      // likeRune
	ranges []runeSet // likeSet
	negate bool      // likeSet: [^…]
}

type likeKind uint8

const (
	likeRune likeKind = iota // one literal character
	likeOne                  // _: any one character
	likeAny                  // %: any run of characters, empty included
	likeSet                  // [abc], [a-z], [^0-9]: one character of (or not of) a set
)

type runeSet struct{ lo, hi rune }

// compiled is a LIKE pattern ready for matching.
type compiled struct{ toks []likeToken }

// compileLike compiles a LIKE pattern: % matches any run of characters, _
// any one character, [set] one character of a set of characters and ranges
// ([^set] one not in it); esc, when not empty, makes the character after it
// literal.
func compileLike(pattern, esc string) (compiled, error) {
	var escRune rune = -1
	if esc != "" {
		escRune = []rune(esc)[0]
	}
	rs := []rune(pattern)
	var c compiled
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == escRune:
			if i+1 == len(rs) {
				return compiled{}, errors.New("the pattern ends with its escape character")
			}
			i++
			c.toks = append(c.toks, likeToken{kind: likeRune, r: rs[i]})
		case r == '%':
			if n := len(c.toks); n == 0 || c.toks[n-1].kind != likeAny {
				c.toks = append(c.toks, likeToken{kind: likeAny})
			}
		case r == '_':
			c.toks = append(c.toks, likeToken{kind: likeOne})
		case r == '[':
			t, next, err := compileSet(rs, i+1)
			if err != nil {
				return compiled{}, err
			}
			c.toks = append(c.toks, t)
			i = next
		default:
			c.toks = append(c.toks, likeToken{kind: likeRune, r: r})
		}
	}
	return c, nil
}

// compileSet reads a [set] whose contents start at rs[i]; it returns the
// token and the index of the closing bracket.
func compileSet(rs []rune, i int) (likeToken, int, error) {
	t := likeToken{kind: likeSet}
	if i < len(rs) && rs[i] == '^' {
		t.negate = true
		i++
	}
	start := i
	for ; i < len(rs); i++ {
		if rs[i] == ']' && i > start {
			return t, i, nil
		}
		lo := rs[i]
		if i+2 < len(rs) && rs[i+1] == '-' && rs[i+2] != ']' {
			if rs[i+2] < lo {
				return likeToken{}, 0, fmt.Errorf("invalid range %c-%c in the pattern", lo, rs[i+2])
			}
			t.ranges = append(t.ranges, runeSet{lo, rs[i+2]})
			i += 2
			continue
		}
		t.ranges = append(t.ranges, runeSet{lo, lo})
	}
	return likeToken{}, 0, errors.New(`the pattern has "[" without "]"`)
}

func (t *likeToken) matches(r rune) bool {
	switch t.kind {
	case likeRune:
		return r == t.r
	case likeOne:
		return true
	case likeSet:
		in := false
		for _, s := range t.ranges {
			if r >= s.lo && r <= s.hi {
				in = true
				break
			}
		}
		return in != t.negate
	}
	return false
}

// match reports whether s matches the whole pattern. It backtracks only to
// the last %, so it runs in O(len(s)·len(pattern)).
func (c compiled) match(s string) bool {
	rs := []rune(s)
	ti, si := 0, 0
	star, mark := -1, 0
	for si < len(rs) {
		switch {
		case ti < len(c.toks) && c.toks[ti].kind == likeAny:
			star, mark = ti, si
			ti++
		case ti < len(c.toks) && c.toks[ti].matches(rs[si]):
			ti++
			si++
		case star >= 0:
			mark++
			si = mark
			ti = star + 1
		default:
			return false
		}
	}
	for ti < len(c.toks) && c.toks[ti].kind == likeAny {
		ti++
	}
	return ti == len(c.toks)
}
