package conformance

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// typesSpecs: the attribute value types and their limits.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html,
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html
// (item size 400 KB, nesting 32 levels), API_AttributeValue.html;
// dynalite validations/index.js and test/putItem.js (messages captured from
// DynamoDB); scylladb test/alternator/test_item.py and test_limits.py.
func (e *env) typesSpecs() {
	Describe("types", Label("types"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("types", hashOnly("pk", "S"))
		roundTrip := func(v av) {
			GinkgoHelper()
			k := e.key()
			it := item("pk", S(k), "v", v)
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: it})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(it)))
		}

		DescribeTable("every attribute type round-trips through PutItem and GetItem",
			roundTrip,
			Entry("S", S("hello")),
			Entry("S with unicode", S("żółć ☃ 𝄞")),
			Entry("S with control characters", S("a\x00b\tc\nd")),
			Entry("N integer", N("42")),
			Entry("N negative decimal", N("-3.25")),
			Entry("B", B([]byte{0, 0xff, 0x10})),
			Entry("BOOL true", BOOL(true)),
			Entry("BOOL false", BOOL(false)),
			Entry("NULL", NULL()),
			Entry("SS", SS("x", "y", "z")),
			Entry("NS", NS("1", "2.5", "-3")),
			Entry("BS", BS([]byte{1}, []byte{2})),
			Entry("L of mixed types", L(S("a"), N("1"), BOOL(false), NULL(), L(), M(item()))),
			Entry("empty L", L()),
			Entry("empty M", M(item())),
			Entry("M of every type", M(item("s", S("x"), "n", N("1"), "b", B([]byte("b")), "ss", SS("q"), "l", L(N("2"))))),
			Entry("L nested ten deep", nestL(10)),
			Entry("M nested ten deep", nestM(10)),
			Entry("SS with one member", SS("only")),
			Entry("a 64 KB string", S(strings.Repeat("s", 65536))),
			Entry("a binary of every byte value", B(allBytes())),
			Entry("a string set with unicode members", SS("ä", "a", "☃", "A")),
			Entry("a list of 1000 elements", bigList(1000)),
			Entry("a map of 1000 members", bigMap(1000)),
			Entry("a number set of 100 members", bigNS(100)),
		)

		put := func(v av) error {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key()), "v", v)})
			return err
		}

		// Messages: dynalite validations/index.js (captured from DynamoDB).
		DescribeTable("PutItem rejects an invalid attribute value with ValidationException",
			func(v av, msg string) { Expect(put(v)).To(beAPIError(errValidation, msg)) },
			Entry("empty SS", SS(), msgInvalidPrefix+"An string set  may not be empty"),
			Entry("empty NS", NS(), msgInvalidPrefix+"An number set  may not be empty"),
			Entry("empty BS", BS(), msgInvalidPrefix+"Binary sets should not be empty"),
			Entry("SS with duplicates", SS("a", "a"), "~contains duplicates"),
			Entry("NS with duplicates", NS("1", "1"), "~contains duplicates"),
			Entry("NS with numerically equal members", NS("1", "1.0"), "~contains duplicates"),
			Entry("BS with duplicates", BS([]byte("a"), []byte("a")), "~contains duplicates"),
			Entry("NULL false", &nullFalse, msgInvalidPrefix+"Null attribute value types must have the value of true"),
			Entry("an invalid N inside a list", L(N("x")), ""),
			Entry("an empty SS inside a map", M(item("s", SS())), ""),
			Entry("an invalid member of NS", NS("1", "one"), ""),
		)

		It("number set members are normalized like numbers", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "v", NS("1.0", "2.50", "-0.0e1", "3e2"))})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plain(out.Item["v"])).To(Equal(plain(NS("1", "2.5", "0", "300"))))
		})

		It("an attribute name of 255 bytes is allowed", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), strings.Repeat("n", 255), S("x"))})
			Expect(err).NotTo(HaveOccurred())
		})

		// ServiceQuotas: "DynamoDB supports nested attributes up to 32 levels deep."
		It("accepts a list nested 31 levels deep", func() { roundTrip(nestL(31)) })
		It("rejects a list nested 40 levels deep", func() {
			Expect(put(nestL(40))).To(beAPIError(errValidation))
		})
		It("rejects a map nested 40 levels deep", func() {
			Expect(put(nestM(40))).To(beAPIError(errValidation))
		})

		// ServiceQuotas: "The maximum item size in DynamoDB is 400 KB, which
		// includes both attribute name binary length (UTF-8 length) and attribute
		// value lengths (again binary length)."
		It("accepts an item just under 400 KB", func() {
			k := e.key()
			it := item("pk", S(k), "big", S(strings.Repeat("x", 409600-len("pk")-len(k)-len("big")-500)))
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: it})
			Expect(err).NotTo(HaveOccurred())
		})
		It("rejects an item over 400 KB with ValidationException", func() {
			it := item("pk", S(e.key()), "big", S(strings.Repeat("x", 409600+10)))
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: it})
			Expect(err).To(beAPIError(errValidation, "Item size has exceeded the maximum allowed size"))
		})
		It("counts attribute names in the item size", func() {
			// A value under the limit plus a long attribute name over it.
			k := e.key()
			name := strings.Repeat("n", 20000)
			it := item("pk", S(k), name, S(strings.Repeat("x", 409600-len(k)-2-10000)))
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: it})
			Expect(err).To(beAPIError(errValidation, "Item size has exceeded the maximum allowed size"))
		})
		It("an UpdateItem that grows an item past 400 KB fails and leaves it unchanged", func() {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "a", S(strings.Repeat("a", 300000)))})
			Expect(err).NotTo(HaveOccurred())
			_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String("SET b = :b"), ExpressionAttributeValues: item(":b", S(strings.Repeat("b", 200000)))})
			Expect(err).To(beAPIError(errValidation, "~Item size"))
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Item).NotTo(HaveKey("b"))
		})
		It("attribute names are case-sensitive", func() {
			k := e.key()
			it := item("pk", S(k), "a", S("lower"), "A", S("upper"))
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: it})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(it)))
		})
		It("attribute names may contain any characters", func() {
			k := e.key()
			it := item("pk", S(k), "with space", S("1"), "dot.ted", S("2"), "#hash", S("3"), ":colon", S("4"), "ünï", S("5"))
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: it})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(it)))
		})
	})
}

var nullFalse = nullValue(false)

func nestL(depth int) av {
	v := S("leaf")
	for i := 0; i < depth; i++ {
		v = L(v)
	}
	return v
}

func nestM(depth int) av {
	v := S("leaf")
	for i := 0; i < depth; i++ {
		v = M(item("m", v))
	}
	return v
}

func allBytes() []byte {
	b := make([]byte, 256)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

func bigList(n int) av {
	l := make([]av, n)
	for i := range l {
		l[i] = N(itoa(int64(i)))
	}
	return L(l...)
}

func bigMap(n int) av {
	m := make(map[string]av, n)
	for i := 0; i < n; i++ {
		m["k"+itoa(int64(i))] = N(itoa(int64(i)))
	}
	return M(m)
}

func bigNS(n int) av {
	s := make([]string, n)
	for i := range s {
		s[i] = itoa(int64(i + 1))
	}
	return NS(s...)
}
