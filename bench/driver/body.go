package driver

import (
	"strconv"
	"unicode/utf8"
)

// Request bodies are appended by hand: the benchmark's requests have a
// fixed shape, and encoding/json's reflection would cost more than the
// request itself.

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string.
func appendString[T string | []byte](b []byte, s T) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(string(s[i:min(i+utf8.UTFMax, len(s))]))
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			if c < 0x20 {
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				b = append(b, `\ufffd`...) // invalid UTF-8 byte
			}
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

func appendS[T string | []byte](b []byte, s T) []byte {
	b = append(b, `{"S":`...)
	b = appendString(b, s)
	return append(b, '}')
}

func appendN(b []byte, n int64) []byte {
	b = append(b, `{"N":"`...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, `"}`...)
}

// appendKey appends the Key map's members (without braces).
func appendKey(b []byte, t Table, k Key) []byte {
	b = append(b, `"`+AttrKey+`":`...)
	b = appendS(b, k.PK)
	if t.SortKey {
		b = append(b, `,"`+AttrSort+`":`...)
		b = appendN(b, k.SK)
	}
	return b
}

func appendTable(b []byte, t Table) []byte {
	b = append(b, `{"TableName":`...)
	return appendString(b, t.Name)
}

// appendProjection appends ProjectionExpression and names for fields.
func appendProjection(b []byte, fields []string) []byte {
	if len(fields) == 0 {
		return b
	}
	b = append(b, `,"ProjectionExpression":"`...)
	for i := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "#p"...)
		b = strconv.AppendInt(b, int64(i), 10)
	}
	b = append(b, `","ExpressionAttributeNames":{`...)
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `"#p`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `":`...)
		b = appendString(b, f)
	}
	return append(b, '}')
}

func appendConsistent(b []byte, consistent bool) []byte {
	if consistent {
		b = append(b, `,"ConsistentRead":true`...)
	}
	return b
}

func appendItem(b []byte, t Table, it Item) []byte {
	b = append(b, '{')
	b = appendKey(b, t, it.Key)
	for _, f := range it.Fields {
		b = append(b, ',')
		b = appendString(b, f.Name)
		b = append(b, ':')
		b = appendS(b, f.Value)
	}
	if it.Version > 0 {
		b = append(b, `,"`+AttrVersion+`":`...)
		b = appendN(b, it.Version)
	}
	return append(b, '}')
}

func getItemBody(b []byte, t Table, k Key, fields []string, consistent bool) []byte {
	b = appendTable(b, t)
	b = append(b, `,"Key":{`...)
	b = appendKey(b, t, k)
	b = append(b, '}')
	b = appendProjection(b, fields)
	b = appendConsistent(b, consistent)
	return append(b, '}')
}

func putItemBody(b []byte, t Table, it Item) []byte {
	b = appendTable(b, t)
	b = append(b, `,"Item":`...)
	b = appendItem(b, t, it)
	return append(b, '}')
}

// updateItemBody: UpdateExpression "SET #f0 = :f0, ... [, #v = #v + :one]"
// with ConditionExpression "#v = :seen" or "attribute_not_exists(#v)".
func updateItemBody(b []byte, t Table, k Key, fields []Field, expectVersion int64) []byte {
	b = appendTable(b, t)
	b = append(b, `,"Key":{`...)
	b = appendKey(b, t, k)
	b = append(b, `},"UpdateExpression":"SET `...)
	for i := range fields {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, "#f"...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, " = :f"...)
		b = strconv.AppendInt(b, int64(i), 10)
	}
	conditional := expectVersion >= 0
	if conditional {
		b = append(b, `, #v = if_not_exists(#v, :zero) + :one`...)
	}
	b = append(b, '"')
	if conditional {
		if expectVersion == 0 {
			b = append(b, `,"ConditionExpression":"attribute_not_exists(#v)"`...)
		} else {
			b = append(b, `,"ConditionExpression":"#v = :seen"`...)
		}
	}
	b = append(b, `,"ExpressionAttributeNames":{`...)
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `"#f`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `":`...)
		b = appendString(b, f.Name)
	}
	if conditional {
		b = append(b, `,"#v":"`+AttrVersion+`"`...)
	}
	b = append(b, `},"ExpressionAttributeValues":{`...)
	for i, f := range fields {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `":f`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `":`...)
		b = appendS(b, f.Value)
	}
	if conditional {
		b = append(b, `,":zero":{"N":"0"},":one":{"N":"1"}`...)
		if expectVersion > 0 {
			b = append(b, `,":seen":`...)
			b = appendN(b, expectVersion)
		}
	}
	return append(b, "}}"...)
}

func scanBody(b []byte, t Table, start Key, limit int, fields []string, consistent bool) []byte {
	b = appendTable(b, t)
	b = append(b, `,"ExclusiveStartKey":{`...)
	b = appendKey(b, t, start)
	b = append(b, `},"Limit":`...)
	b = strconv.AppendInt(b, int64(limit), 10)
	b = appendProjection(b, fields)
	b = appendConsistent(b, consistent)
	return append(b, '}')
}

func queryBody(b []byte, t Table, pk []byte, lo, hi int64, limit int, fields []string, consistent bool) []byte {
	b = appendTable(b, t)
	b = append(b, `,"KeyConditionExpression":"#k = :k AND #s BETWEEN :lo AND :hi","ExpressionAttributeNames":{"#k":"`+AttrKey+`","#s":"`+AttrSort+`"`...)
	// Projection names share the map: append them by hand.
	for i, f := range fields {
		b = append(b, `,"#p`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `":`...)
		b = appendString(b, f)
	}
	b = append(b, `},"ExpressionAttributeValues":{":k":`...)
	b = appendS(b, pk)
	b = append(b, `,":lo":`...)
	b = appendN(b, lo)
	b = append(b, `,":hi":`...)
	b = appendN(b, hi)
	b = append(b, `},"Limit":`...)
	b = strconv.AppendInt(b, int64(limit), 10)
	if len(fields) > 0 {
		b = append(b, `,"ProjectionExpression":"`...)
		for i := range fields {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, "#p"...)
			b = strconv.AppendInt(b, int64(i), 10)
		}
		b = append(b, '"')
	}
	b = appendConsistent(b, consistent)
	return append(b, '}')
}

func batchPutBody(b []byte, t Table, items []Item) []byte {
	b = append(b, `{"RequestItems":{`...)
	b = appendString(b, t.Name)
	b = append(b, ":["...)
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"PutRequest":{"Item":`...)
		b = appendItem(b, t, it)
		b = append(b, "}}"...)
	}
	return append(b, "]}}"...)
}
