// Package query parses and evaluates the query languages of the CIM
// operations: WQL and DMTF:CQL (DSP0202) SELECT statements for ExecQuery,
// OpenQueryInstances and WS-Management filters, and DMTF:FQL (DSP0212)
// filters for the pull operations' FilterQuery.
//
// The grammar Ferrum implements is the subset the CIM clients in use send:
//
//	query     := SELECT ( "*" | item ( "," item )* ) FROM class [ [AS] alias ] [ WHERE cond ]
//	item      := prop | qualifier "." prop | qualifier ".*"
//	filter    := cond                               (DMTF:FQL)
//	cond      := and ( OR and )*
//	and       := not ( AND not )*
//	not       := NOT not | "(" cond ")" | predicate
//	predicate := [ANY | EVERY] operand op operand    op: = <> != < <= > >=
//	           | [ANY | EVERY] operand [NOT] LIKE 'pattern' [ESCAPE 'c']
//	           | operand IS [NOT] NULL
//	           | operand ISA Class                   (or ISA 'Class')
//	           | operand                             (TRUE, FALSE or a boolean property)
//	operand   := 'string' | "string" | [-]number | TRUE | FALSE | NULL
//	           | prop ( "." prop )* [ "[" index "]" ]
//
// Keywords are case-insensitive. A qualifier is the FROM class or its alias;
// the bare class or alias names the instance itself, for "cs ISA
// CIM_ComputerSystem". A path Prop.Sub reads property Sub of the instance
// embedded in Prop. __CLASS (WQL) is the instance's class name.
//
// Evaluation follows SQL's three-valued logic; see Query.Matches. Strings
// compare case-sensitively by code point; a string literal compared with a
// number, boolean, datetime or reference is first converted to that type, so
// datetimes given as DSP0004 strings compare as instants (timestamps) or
// lengths (intervals). LIKE knows % (any run), _ (one character) and [set]
// ([^set] for its complement), and an ESCAPE character.
//
// Comparisons with an array property have ANY semantics: true when some
// element satisfies them. The keyword EVERY requires every element to (an
// empty array satisfies EVERY and not ANY); ANY may be written for clarity.
//
// Joins, subqueries, ORDER BY, GROUP BY, HAVING, DISTINCT, aggregate and
// other functions, arithmetic, IN, BETWEEN and SATISFIES are recognized and
// refused with CIM_ERR_QUERY_FEATURE_NOT_SUPPORTED.
package query
