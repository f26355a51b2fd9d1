// Package expr implements DynamoDB's five expression languages:
// ConditionExpression and FilterExpression (one grammar, two error
// prefixes), UpdateExpression, ProjectionExpression and
// KeyConditionExpression, together with ExpressionAttributeNames and
// ExpressionAttributeValues.
//
// An expression is parsed once into a tree (Condition, Update, Projection,
// KeyCondition) that the engine evaluates against items, so the cost of
// parsing and validation is paid once per request and evaluation is a walk
// over resolved paths and constant values. Evaluation is deterministic: the
// same item gives the same result on every replica (no maps are iterated in
// an order that matters, numbers are exact decimals from package value).
//
// Parsing is in two passes. A recursive-descent parser over the tokens of
// lex checks syntax only and reports DynamoDB's
//
//	Invalid ConditionExpression: Syntax error; token: "+", near: "a+:delta"
//
// (the token, and the source from the previous token to the next one). A
// second pass per language resolves #names and :values (marking them used
// in Params for CheckUnused) and applies the semantic rules, reporting the
// error DynamoDB would report first: redundant parentheses, unknown and
// misused functions, reserved words, then per condition undefined names and
// values, operand counts, identical operands and operand types.
//
// Expressions longer than 4096 bytes are rejected before parsing, as
// DynamoDB does; parsing is linear (a "(" is classified by looking past its
// matching ")"), so no input within the limit is expensive.
//
// The legacy parameters (Expected, ConditionalOperator, QueryFilter,
// ScanFilter, KeyConditions, AttributesToGet, AttributeUpdates) are
// converted into the same trees (legacy.go), and every tree can be printed
// back into expression text with generated #names and :values
// (printer.go), so a converted request can be carried as plain expressions.
//
// Semantics follow the Developer Guide ("Condition and filter expressions,
// operators and functions", "Update expressions", "Projection
// expressions", "Key condition expressions", "Reserved words") and the
// behaviour recorded by test suites validated against DynamoDB (dynalite's
// tests, ScyllaDB Alternator's test/alternator): comparisons between
// different types are false rather than errors, a missing attribute makes
// every comparison false except <>, constants of the wrong type are
// ValidationExceptions at parse time while item values of the wrong type
// are merely false, update right-hand sides are all read from the item as it
// was before the update, REMOVE of list elements uses the original indexes,
// and SET past the end of a list appends.
//
// Points where the sources disagree or say nothing, and the choice made:
// size() of a string counts UTF-8 bytes; the messages for comparing a
// constant list/map with <, for IN with more than 100 operands and for
// if_not_exists/list_append in a condition are worded in DynamoDB's
// vocabulary but not confirmed against DynamoDB; list_append nested
// directly in list_append is rejected (Alternator's notes on DynamoDB);
// DELETE under a missing parent path is an invalid-path error, like SET and
// ADD. Request maps are unordered in Go, so where DynamoDB reports the
// first of several problems in request order (unused names, legacy
// conditions), this package uses sorted order.
package expr
