package value

// Size accounting as the Developer Guide's "Item sizes and formats" describes:
//
//   - String: UTF-8 bytes. Binary: raw bytes. Number: about one byte per two
//     significant digits plus one byte. BOOL and NULL: 1 byte.
//   - List and Map: 3 bytes of overhead plus 1 byte per element, plus the
//     elements (and, for maps, the element names).
//   - Sets: the sum of their elements' sizes.
//   - An attribute counts its name's UTF-8 bytes plus its value.

// MaxItemSize is DynamoDB's item size limit (400 KB, including names).
const MaxItemSize = 400 * 1024

// Size returns the size of v as DynamoDB counts it (without any name).
func Size(v Value) int {
	switch v.T {
	case S:
		return len(v.Str)
	case B:
		return len(v.Bin)
	case N:
		return NumberSize(v.Str)
	case BOOL, NULL:
		return 1
	case SS:
		n := 0
		for _, s := range v.Strs {
			n += len(s)
		}
		return n
	case NS:
		n := 0
		for _, s := range v.Strs {
			n += NumberSize(s)
		}
		return n
	case BS:
		n := 0
		for _, b := range v.Bins {
			n += len(b)
		}
		return n
	case L:
		n := 3
		for _, x := range v.List {
			n += 1 + Size(x)
		}
		return n
	case M:
		n := 3
		for k, x := range v.Map {
			n += 1 + len(k) + Size(x)
		}
		return n
	}
	return 0
}

// NumberSize is the stored size of canonical number text: one byte per two
// significant digits (leading and trailing zeros trimmed), plus one.
func NumberSize(s string) int {
	digits := 0
	start, end := -1, -1
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= '1' && c <= '9' {
			if start < 0 {
				start = i
			}
			end = i
		}
	}
	if start < 0 {
		return 1 // zero
	}
	for i := start; i <= end; i++ {
		if s[i] >= '0' && s[i] <= '9' {
			digits++
		}
	}
	return (digits+1)/2 + 1
}

// ItemSize returns the size of an item: for each attribute its name's bytes
// plus its value's size.
func ItemSize(i Item) int {
	n := 0
	for k, v := range i {
		n += len(k) + Size(v)
	}
	return n
}
