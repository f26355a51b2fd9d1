package expr

import (
	"strings"
	"testing"

	"github.com/ddbkit/ddbkit/reference/value"
)

// TestParseErrors checks the exact ValidationException message for invalid
// expressions. Expected messages come from DynamoDB's documented behaviour
// and from suites validated against DynamoDB (dynalite's tests, Alternator's
// test comments quoting DynamoDB, LowVoltage's recorded responses).
func TestParseErrors(t *testing.T) {
	deep := "a" + strings.Repeat(".b", 32)
	many := make([]any, 0, 202)
	inList := make([]string, 0, 101)
	for i := 0; i < 101; i++ {
		k := ":v" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		many = append(many, k, n("1"))
		inList = append(inList, k)
	}
	cases := []struct {
		name   string
		lang   lang
		src    string
		names  map[string]string
		values map[string]value.Value
		want   string
	}{
		// Empty expressions.
		{"empty condition", langCond, "", nil, nil, "Invalid ConditionExpression: The expression can not be empty;"},
		{"empty filter", langFilter, "", nil, nil, "Invalid FilterExpression: The expression can not be empty;"},
		{"empty update", langUpdate, "", nil, nil, "Invalid UpdateExpression: The expression can not be empty;"},
		{"empty projection", langProj, "", nil, nil, "Invalid ProjectionExpression: The expression can not be empty;"},
		{"empty key condition", langKey, "", nil, nil, "Invalid KeyConditionExpression: The expression can not be empty;"},

		// Size limit: 4 KB, checked before anything else.
		{"size limit condition", langCond, "a " + strings.Repeat(" ", 4085) + " = :oldval", nil, nil, "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"size limit nested", langCond, strings.Repeat("(", 15000), nil, nil, "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 15000"},
		{"size limit update", langUpdate, "SET " + strings.Repeat(" ", 4085) + "a = :val", nil, nil, "Invalid UpdateExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"size limit projection", langProj, strings.Repeat("x", 4097), nil, nil, "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"},
		{"size limit key", langKey, strings.Repeat("not ", 20000) + "a<b", nil, nil, "Invalid KeyConditionExpression: Expression size has exceeded the maximum allowed size; expression size: 80003"},

		// Syntax errors: token, and the text from the previous to the next token.
		{"bare path", langCond, "foo", nil, nil, `Invalid ConditionExpression: Syntax error; token: "<EOF>", near: "foo"`},
		{"plus in condition", langCond, "a+:delta<b", nil, vals(":delta", n("3")), `Invalid ConditionExpression: Syntax error; token: "+", near: "a+:delta"`},
		{"underscore name", langUpdate, "SET _123 = :v", nil, vals(":v", n("1")), `Invalid UpdateExpression: Syntax error; token: "_", near: "SET _123"`},
		{"bracket first", langKey, "[object Object]", nil, nil, `Invalid KeyConditionExpression: Syntax error; token: "[", near: "[object"`},
		{"IN empty", langCond, "a IN ()", nil, nil, `Invalid ConditionExpression: Syntax error; token: ")", near: "()"`},
		{"digit name", langUpdate, "SET 123a = :v", nil, vals(":v", n("1")), `Invalid UpdateExpression: Syntax error; token: "123", near: "SET 123a"`},
		{"dash in name", langUpdate, "SET hi-there = :v", nil, vals(":v", n("1")), `Invalid UpdateExpression: Syntax error; token: "-", near: "hi-there"`},
		{"lone hash", langUpdate, "SET # = :v", names("#a", "x"), vals(":v", n("1")), `Invalid UpdateExpression: Syntax error; token: "#", near: "SET # ="`},
		{"lone colon", langUpdate, "SET a = :", nil, nil, `Invalid UpdateExpression: Syntax error; token: ":", near: "= :"`},
		{"value on lhs", langUpdate, "SET :a = :b", nil, vals(":a", n("1"), ":b", n("2")), `Invalid UpdateExpression: Syntax error; token: ":a", near: "SET :a ="`},
		{"three addends", langUpdate, "SET a = :a + :b + :c", nil, vals(":a", n("1"), ":b", n("2"), ":c", n("3")), `Invalid UpdateExpression: Syntax error; token: "+", near: ":b + :c"`},
		{"plus inside function", langUpdate, "SET c = if_not_exists(c, :a+:b)", nil, vals(":a", n("1"), ":b", n("2")), `Invalid UpdateExpression: Syntax error; token: "+", near: ":a+:b"`},
		{"unknown clause", langUpdate, "HELLO a = :v", nil, vals(":v", n("1")), `Invalid UpdateExpression: Syntax error; token: "HELLO", near: "HELLO a"`},
		{"value index", langUpdate, "SET a[:i] = :v", nil, vals(":i", n("1"), ":v", n("1")), `Invalid UpdateExpression: Syntax error; token: ":i", near: "[:i]"`},
		{"negative index", langProj, "a[-1]", nil, nil, `Invalid ProjectionExpression: Syntax error; token: "-", near: "[-1"`},
		{"missing index", langProj, "a[]", nil, nil, `Invalid ProjectionExpression: Syntax error; token: "]", near: "[]"`},
		{"trailing comma", langProj, "a,", nil, nil, `Invalid ProjectionExpression: Syntax error; token: "<EOF>", near: ","`},
		{"key cond syntax", langKey, "things are not gonna be ok", nil, nil, `Invalid KeyConditionExpression: Syntax error; token: "are", near: "things are not"`},
		{"keyword as name", langCond, "a = and", nil, nil, `Invalid ConditionExpression: Syntax error; token: "and", near: "= and"`},
		{"size then index", langKey, "(size(a))[0] > a", nil, nil, `Invalid KeyConditionExpression: Syntax error; token: "[", near: ")[0"`},

		// Redundant parentheses.
		{"double parens", langCond, "((a <> :p))", nil, vals(":p", s("x")), "Invalid ConditionExpression: The expression has redundant parentheses;"},
		{"double parens operand", langFilter, "a=a and a > ((views))", nil, nil, "Invalid FilterExpression: The expression has redundant parentheses;"},
		{"double parens path", langFilter, "(a)between(((b.c)).d)and(c)", nil, nil, "Invalid FilterExpression: The expression has redundant parentheses;"},
		{"double parens arg", langFilter, "a > whatever((:things), ((a)))", nil, nil, "Invalid FilterExpression: The expression has redundant parentheses;"},
		{"double parens inner and", langFilter, "a=a AND ((a=a AND a=a)) AND a=a", nil, nil, "Invalid FilterExpression: The expression has redundant parentheses;"},
		{"double parens nested or", langFilter, "a=a OR ((a=a OR (a=a OR a=a)))", nil, nil, "Invalid FilterExpression: The expression has redundant parentheses;"},

		// Functions.
		{"unknown function", langFilter, "a=a and whatever((:things)) > a", nil, nil, "Invalid FilterExpression: Invalid function name; function: whatever"},
		{"functions are case sensitive", langFilter, "attRIbute_exIsts((views), #a)", nil, nil, "Invalid FilterExpression: Invalid function name; function: attRIbute_exIsts"},
		{"bool function compared", langFilter, "a=a and attribute_exists((views), (#a)) > b", nil, nil, "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"not_exists compared", langFilter, "attribute_not_exists(things) > b", nil, nil, "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_not_exists"},
		{"contains in size", langFilter, "size(contains(a, b)) > a", nil, nil, "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: contains"},
		{"size alone", langFilter, "size(things)", nil, nil, "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"},
		{"function in between", langFilter, "a between b and attribute_exists(things)", nil, nil, "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"function in IN", langFilter, "a in (b, attribute_exists(things))", nil, nil, "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
		{"update function in condition", langCond, "if_not_exists(a, a) = :v", nil, vals(":v", n("5")), "Invalid ConditionExpression: The function is not allowed in a condition expression; function: if_not_exists"},
		{"list_append in condition", langCond, "list_append(a, a) = :v", nil, vals(":v", n("5")), "Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append"},

		// Reserved words.
		{"reserved", langFilter, "attribute_exists(views, #a)", nil, nil, "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views"},
		{"reserved any case", langFilter, ":a < abOrT", nil, nil, "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT"},
		{"reserved status", langCond, "status = :s", nil, vals(":s", s("x")), "Invalid ConditionExpression: Attribute name is a reserved keyword; reserved keyword: status"},
		{"reserved in update", langUpdate, "SET a.#b = :v, c.date = :v", names("#b", "b"), vals(":v", n("1")), "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: date"},
		{"reserved in projection", langProj, "a, name", nil, nil, "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"},

		// Undefined names and values.
		{"undefined name first", langFilter, "attribute_exists(#Pictures.RearView, :a) and a=a", nil, nil, "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #Pictures"},
		{"undefined name nested", langFilter, "(a)between(b.c[45].#d)and(:a)", nil, nil, "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #d"},
		{"undefined name digits", langFilter, "#4g > a", nil, nil, "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #4g"},
		{"undefined value", langFilter, ":a < :b", nil, nil, "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :a"},
		{"undefined value in fn", langFilter, "begins_with(:hello, #a, #b)", nil, nil, "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :hello"},
		{"undefined value cond", langCond, "foo=:foo", nil, nil, "Invalid ConditionExpression: An expression attribute value used in expression is not defined; attribute value: :foo"},
		{"undefined value update", langUpdate, "SET a = :val1", nil, vals(":x", n("1")), "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :val1"},
		{"undefined name update", langUpdate, "SET #b = :v", names("#a", "a"), vals(":v", n("1")), "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #b"},
		{"undefined name projection", langProj, "#a", nil, nil, "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #a"},

		// Operand counts, paths and types.
		{"exists two args", langFilter, "attribute_exists(things, a) and a=a", nil, nil, "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
		{"attribute_type one arg", langFilter, "attribute_type(things)", nil, nil, "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_type, number of operands: 1"},
		{"begins_with three", langFilter, "begins_with(things, size(a), b)", nil, nil, "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 3"},
		{"size two", langFilter, "size(things, a) > b", nil, nil, "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
		{"attribute_type N", langFilter, "attribute_type(a, :a)", nil, vals(":a", n("1")), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type size", langFilter, "attribute_type(a, size(a)) and a=a and a=:a", nil, vals(":a", n("1")), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
		{"attribute_type bad name", langFilter, "attribute_type(a, :a)", nil, vals(":a", s("1")), "Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
		{"begins_with N", langFilter, "begins_with(a, :a)", nil, vals(":a", n("1")), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"begins_with first L", langFilter, "begins_with(:a, a)", nil, vals(":a", l()), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: L"},
		{"begins_with size", langFilter, "begins_with(a, size(a)) and a=:a", nil, vals(":a", n("1")), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
		{"size of size", langFilter, "size(size(a)) > :a", nil, vals(":a", n("1")), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"},
		{"size of BOOL", langFilter, "size(:a) > a", nil, vals(":a", value.Bool(true)), "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: BOOL"},
		{"exists of value", langFilter, "attribute_exists(:a) and a=a", nil, vals(":a", s("1")), "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_exists"},
		{"not_exists of size", langFilter, "attribute_not_exists(size(:a))", nil, vals(":a", s("1")), "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_not_exists"},
		{"distinct eq", langFilter, "a = a AND #a = b AND :views > a", names("#a", "a"), vals(":views", n("1")), "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
		{"distinct ne alias", langFilter, "#a <> a", names("#a", "a"), nil, "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]"},
		{"distinct contains", langFilter, "contains(ab.bc[1].a, ab.bc[1].#a)", names("#a", "a"), nil, "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [ab, bc, [1], a]"},
		{"between types", langKey, "a between :b and :a", nil, vals(":a", s("a"), ":b", n("1")), "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
		{"between order", langKey, "a between :b and :a", nil, vals(":a", s("a"), ":b", s("b")), "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
		{"between numeric order", langCond, "a between :lo and :hi", nil, vals(":lo", n("10"), ":hi", n("9")), "Invalid ConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:9}"},
		{"lt list constant", langCond, "a < :v", nil, vals(":v", l(n("1"))), "Invalid ConditionExpression: Incorrect operand type for operator or function; operator or function: <, operand type: L"},
		{"IN 101 operands", langCond, "a IN (" + strings.Join(inList, ",") + ")", nil, vals(many...), "Invalid ConditionExpression: Incorrect number of operands for operator or function; operator or function: IN, number of operands: 102"},

		// Paths: depth and index range.
		{"too deep", langProj, deep, nil, nil, "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33"},
		{"index range", langProj, "a[99999999999999]", nil, nil, "Invalid ProjectionExpression: List index is not within the allowable range; index: [99999999999999]"},
		{"projection overlap", langProj, "a, a", nil, nil, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"projection overlap nested", langProj, "a.b[0], a", nil, nil, "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a, b, [0]], path two: [a]"},
		{"projection conflict", langProj, "a.b, a[1]", nil, nil, "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"},

		// Update specifics.
		{"set twice", langUpdate, "SET a = :v SET b = :v", nil, vals(":v", n("1")), `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"set remove set", langUpdate, "SET a = :v REMOVE b SET c = :v", nil, vals(":v", n("1")), `Invalid UpdateExpression: The "SET" section can only be used once in an update expression;`},
		{"overlap set remove", langUpdate, "SET a = :v REMOVE a", nil, vals(":v", n("1")), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"overlap nested", langUpdate, "SET a = :v, a.b = :v", nil, vals(":v", n("1")), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"},
		{"overlap via alias", langUpdate, "SET #a = :v REMOVE a", names("#a", "a"), vals(":v", n("1")), "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
		{"conflict", langUpdate, "SET a.b = :v, a[1] = :v", nil, vals(":v", n("1")), "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [1]]"},
		{"unknown update function", langUpdate, "SET a = f(b)", nil, nil, "Invalid UpdateExpression: Invalid function name; function: f"},
		{"condition function in update", langUpdate, "SET x = size(:v)", nil, vals(":v", s("a")), "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
		{"list_append arity", langUpdate, "SET a = list_append(:v)", nil, vals(":v", l()), "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
		{"list_append type", langUpdate, "SET a = list_append(:v, :w)", nil, vals(":v", s("x"), ":w", l()), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
		{"list_append nested", langUpdate, "SET a = list_append(list_append(:v, :v), :v)", nil, vals(":v", l()), "Invalid UpdateExpression: The function is not allowed to be used this way in an expression; function: list_append"},
		{"plus string", langUpdate, "SET a = :v + :w", nil, vals(":v", n("1"), ":w", s("x")), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
		{"if_not_exists value", langUpdate, "SET a = if_not_exists(:v, :v)", nil, vals(":v", n("1")), "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
		{"ADD string", langUpdate, "ADD a :v", nil, vals(":v", s("x")), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING"},
		{"ADD list", langUpdate, "ADD a :v", nil, vals(":v", l(n("1"))), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST"},
		{"DELETE number", langUpdate, "DELETE a :v", nil, vals(":v", n("1")), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER"},
		{"DELETE map", langUpdate, "DELETE a :v", nil, vals(":v", m()), "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: MAP"},

		// Key conditions.
		{"key OR", langKey, "a > b and size(b) > c or a > c", nil, nil, "Invalid operator used in KeyConditionExpression: OR"},
		{"key IN", langKey, "a in (b, size(c), d)", nil, nil, "Invalid operator used in KeyConditionExpression: IN"},
		{"key exists", langKey, "attribute_exists(a)", nil, nil, "Invalid operator used in KeyConditionExpression: attribute_exists"},
		{"key contains", langKey, "contains(a.d, b)", nil, nil, "Invalid operator used in KeyConditionExpression: contains"},
		{"key NOT", langKey, "not a > b", nil, nil, "Invalid operator used in KeyConditionExpression: NOT"},
		{"key ne", langKey, "a <> b", nil, nil, "Invalid operator used in KeyConditionExpression: <>"},
		{"key attribute_type", langKey, "attribute_type(a, :a)", nil, vals(":a", s("S")), "Invalid operator used in KeyConditionExpression: attribute_type"},
		{"key between first", langKey, ":a between size(b) and size(a) and b > :b", nil, vals(":a", s("1"), ":b", s("1")), "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
		{"key begins_with first", langKey, "begins_with(:a, b) and a > :b", nil, vals(":a", s("1"), ":b", s("1")), "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"},
		{"key nested op", langKey, "size(b) > a AND a.b > b AND b > c", nil, nil, "KeyConditionExpressions cannot contain nested operations"},
		{"key nested op between", langKey, "a between size(b) and size(a)", nil, nil, "KeyConditionExpressions cannot contain nested operations"},
		{"key multiple names", langKey, "b > a.b", nil, nil, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"key begins_with two paths", langKey, "begins_with(a, b)", nil, nil, "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
		{"key nested attribute", langKey, "a.d > :c", nil, vals(":c", n("1")), "KeyConditionExpressions cannot have conditions on nested attributes"},
		{"key no attribute", langKey, ":b > :a AND a < :b", nil, vals(":a", n("1"), ":b", n("1")), "Invalid condition in KeyConditionExpression: No key attribute specified"},
		{"key three conditions", langKey, ":a = a and b = :a and :a = c", nil, vals(":a", s("a")), "Conditions can be of length 1 or 2 only"},
		{"key six conditions", langKey, "(a > :a and b > :a) and (c > :a and d > :a) and (e > :a and f > :a)", nil, vals(":a", s("a")), "Conditions can be of length 1 or 2 only"},
		{"key list value", langKey, "a = :l", nil, vals(":l", l()), "One or more parameter values were invalid: ComparisonOperator EQ is not valid for L AttributeValue type"},
		{"key two per key", langKey, "b > :a AND b < :a and c = :a and d = :a", nil, vals(":a", n("1")), "KeyConditionExpressions must only contain one condition per key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := NewParams(tc.names, tc.values)
			_, err := parseIn(p, tc.lang, tc.src)
			wantValidation(t, err, tc.want)
		})
	}
}

// TestSizeLimitBoundary: 4096 bytes are accepted in every language.
func TestSizeLimitBoundary(t *testing.T) {
	p := NewParams(nil, vals(":val", n("1"), ":oldval", n("1")))
	if _, err := p.ParseProjection(strings.Repeat("x", 4096)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ParseUpdate("SET" + strings.Repeat(" ", 4085) + "a = :val"); err != nil {
		t.Fatal(err)
	}
	if _, err := p.ParseCondition("a" + strings.Repeat(" ", 4085) + " = :oldval"); err != nil {
		t.Fatal(err)
	}
}

// TestDeepNesting: expressions nested as deeply as 4 KB allows parse (or
// fail cleanly) without deep backtracking.
func TestDeepNesting(t *testing.T) {
	p := NewParams(nil, vals(":a", n("1")))
	deepAnd := "a < :a" + strings.Repeat(" and (a < :a", 300) + strings.Repeat(")", 300)
	c, err := p.ParseCondition(deepAnd)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Eval(item("a", n("0"))); !ok {
		t.Fatal("deep AND chain evaluated false")
	}
	parens := strings.Repeat("(", 1300) + "a" + strings.Repeat(")", 1300) + " = :a"
	wantValidation(t, func() error { _, err := p.ParseCondition(parens); return err }(), "Invalid ConditionExpression: The expression has redundant parentheses;")
	nots := strings.Repeat("NOT ", 1000) + "a = :a"
	c, err = p.ParseCondition(nots)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Eval(item("a", n("1"))); !ok {
		t.Fatal("even number of NOTs must keep the result")
	}
}

func TestParamsValidate(t *testing.T) {
	cases := []struct {
		name       string
		names      map[string]string
		values     map[string]value.Value
		gotN, gotV bool
		want       string
	}{
		{"empty names", map[string]string{}, nil, true, false, "ExpressionAttributeNames must not be empty"},
		{"empty values", nil, map[string]value.Value{}, false, true, "ExpressionAttributeValues must not be empty"},
		{"bad name key", names("a", "x"), nil, true, false, `ExpressionAttributeNames contains invalid key: Syntax error; key: "a"`},
		{"bad name key hash only", names("#", "x"), nil, true, false, `ExpressionAttributeNames contains invalid key: Syntax error; key: "#"`},
		{"bad value key", nil, vals("b", n("1")), false, true, `ExpressionAttributeValues contains invalid key: Syntax error; key: "b"`},
		{"bad value key char", nil, vals(":a-b", n("1")), false, true, `ExpressionAttributeValues contains invalid key: Syntax error; key: ":a-b"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			wantValidation(t, NewParams(tc.names, tc.values).Validate(tc.gotN, tc.gotV), tc.want)
		})
	}
	if err := NewParams(names("#a_1", "x"), vals(":_", n("1"))).Validate(true, true); err != nil {
		t.Fatalf("valid keys rejected: %v", err)
	}
}

func TestCheckUnused(t *testing.T) {
	p := NewParams(names("#a", "a", "#b", "b", "#c", "c"), vals(":x", n("1"), ":y", n("2"), ":z", n("3")))
	if _, err := p.ParseCondition("#a = :x"); err != nil {
		t.Fatal(err)
	}
	wantValidation(t, p.CheckUnused(), "Value provided in ExpressionAttributeNames unused in expressions: keys: {#b, #c}")
	if _, err := p.ParseProjection("#b, #c"); err != nil {
		t.Fatal(err)
	}
	wantValidation(t, p.CheckUnused(), "Value provided in ExpressionAttributeValues unused in expressions: keys: {:y, :z}")
	// Short-circuit evaluation must not matter: use is recorded at parse time.
	if _, err := p.ParseUpdate("SET a = :y REMOVE b ADD c :z"); err != nil {
		t.Fatal(err)
	}
	if err := p.CheckUnused(); err != nil {
		t.Fatalf("all used, got %v", err)
	}
}
