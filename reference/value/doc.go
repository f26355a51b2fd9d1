// Package value is DynamoDB's data model: the ten attribute value types
// (S, N, B, BOOL, NULL, M, L, SS, NS, BS), numbers as exact 38-digit decimals
// (github.com/cockroachdb/apd/v3, never float64), the wire JSON form
// ({"S":"x"}) with DynamoDB's validation messages, item size accounting as the
// Developer Guide describes it, and an order-preserving byte encoding of key
// values so that a partition's B-tree orders items as DynamoDB does: numbers
// numerically, strings by UTF-8 bytes, binaries as unsigned bytes.
//
// Sources: Developer Guide, "Supported data types and naming rules",
// "Item sizes and formats", and the AttributeValue API reference.
package value
