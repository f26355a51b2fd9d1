package conformance

import (
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// numbersSpecs: DynamoDB numbers are decimals with up to 38 significant
// digits and magnitudes from 1E-130 to 9.99...E+125, stored exactly and
// returned in a canonical form.
//
// Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
// ("Numbers can have up to 38 digits of precision ... Positive range: 1E-130
// to 9.9999999999999999999999999999999999999E+125"; "Leading and trailing
// zeroes are trimmed"); dynalite validations/index.js checkNum (messages
// captured from DynamoDB); scylladb test/alternator/test_number.py.
func (e *env) numbersSpecs() {
	Describe("numbers", Label("numbers"), Ordered, ContinueOnFailure, func() {
		h := e.sharedTable("numbers", hashOnly("pk", "S"))
		hn := e.sharedTable("numbers", hashOnly("pk", "N"))

		stored := func(n string) string {
			GinkgoHelper()
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "n", N(n))})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: h, Key: item("pk", S(k)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(out.Item).To(HaveKey("n"))
			return plain(out.Item["n"]).(map[string]any)["N"].(string)
		}

		DescribeTable("numbers are stored exactly and returned without redundant zeros",
			func(in, want string) { Expect(stored(in)).To(Equal(want)) },
			Entry("an integer", "17", "17"),
			Entry("a trailing decimal zero", "1.50", "1.5"),
			Entry("leading zeros", "007", "7"),
			Entry("a decimal point with only zeros after it", "3.000", "3"),
			Entry("negative zero", "-0", "0"),
			Entry("exponent notation", "1E2", "100"),
			Entry("lowercase exponent", "1e2", "100"),
			Entry("a negative exponent", "1e-3", "0.001"),
			Entry("mantissa with exponent", "0.0001E4", "1"),
			Entry("a negative decimal", "-12.340", "-12.34"),
			Entry("38 significant digits", "12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
			Entry("38 digits with a decimal point", "1.2345678901234567890123456789012345678", "1.2345678901234567890123456789012345678"),
			Entry("38 digits followed by zeros", "12345678901234567890123456789012345678000", "12345678901234567890123456789012345678000"),
			Entry("a small decimal", "0.000000000000000000001", "0.000000000000000000001"),
			Entry("a value float64 cannot hold", "9007199254740993", "9007199254740993"),
			Entry("0.1 exactly", "0.1", "0.1"),
			Entry("the largest magnitude", "9.9999999999999999999999999999999999999E+125",
				"99999999999999999999999999999999999999"+strings.Repeat("0", 88)),
			Entry("the largest negative magnitude", "-9.9999999999999999999999999999999999999E+125",
				"-99999999999999999999999999999999999999"+strings.Repeat("0", 88)),
			Entry("1E+125", "1E+125", "1"+strings.Repeat("0", 125)),
			// test_number.py test_invalid_numbers lists these as allowed.
			Entry("a plus sign", "+3", "3"),
			Entry("no digit before the point", ".123", "0.123"),
			Entry("leading zeros before a point", "0001.23", "1.23"),
			Entry("a signed exponent", "1e+5", "100000"),
			Entry("zero with a huge exponent", "0e1000", "0"),
		)

		It("accepts the smallest positive magnitude 1E-130", func() {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key()), "n", N("1E-130"))})
			Expect(err).NotTo(HaveOccurred())
		})

		put := func(n string) error {
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(e.key()), "n", N(n))})
			return err
		}
		DescribeTable("PutItem rejects an invalid number with ValidationException",
			func(n, msg string) { Expect(put(n)).To(beAPIError(errValidation, msg)) },
			// test_number.py test_invalid_numbers: the message mentions "numeric".
			Entry("letters", "dog", "~numeric"),
			Entry("negative letters", "-dog", "~numeric"),
			Entry("empty", "", "~numeric"),
			Entry("two decimal points", "1.2.3", "~numeric"),
			Entry("a dangling exponent", "1e", "~numeric"),
			Entry("hexadecimal", "0x10", "~numeric"),
			Entry("Infinity", "Infinity", "~numeric"),
			Entry("-Infinity", "-Infinity", "~numeric"),
			Entry("NaN", "NaN", "~numeric"),
			Entry("a leading space", " 1", "~numeric"),
			Entry("a trailing space", "1 ", "~numeric"),
			Entry("embedded space", "1 2", "~numeric"),
			// test_number_precision_not_allowed: "ValidationException.*significant".
			Entry("39 significant digits", "123456789012345678901234567890123456789", "~significant"),
			Entry("39 digits after a decimal point", "3.14159265358979323846264338327950288419", "~significant"),
			Entry("39 digits and an exponent", "314159265358979323846264338327950288419e30", "~significant"),
			// test_number_magnitude_not_allowed: overflow / underflow.
			Entry("magnitude 1E+126", "1E+126", "~overflow"),
			Entry("magnitude 11E+125", "11E+125", "~overflow"),
			Entry("magnitude -1E+126", "-1E+126", "~overflow"),
			Entry("magnitude 1E-131", "1E-131", "~underflow"),
			Entry("magnitude 0.9E-130", "0.9E-130", "~underflow"),
		)

		It("a number key is found by any spelling of the same value", func() {
			// Keys compare by numeric value: 1.0 and 1 are the same key.
			n := e.seq.Add(1)
			v := strings.TrimLeft(strings.Repeat("0", 3)+itoa(n), "0")
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: hn, Item: item("pk", N(v+".0"), "x", S("y"))})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.GetItem(e.ctx, &dynamodb.GetItemInput{TableName: hn, Key: item("pk", N(v)), ConsistentRead: aws.Bool(true)})
			Expect(err).NotTo(HaveOccurred())
			Expect(plainItem(out.Item)).To(Equal(plainItem(item("pk", N(v), "x", S("y")))))
		})

		arith := func(start, expr string, operand string) (string, error) {
			k := e.key()
			_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "n", N(start))})
			Expect(err).NotTo(HaveOccurred())
			out, err := e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
				UpdateExpression: aws.String(expr), ExpressionAttributeValues: item(":v", N(operand)),
				ReturnValues: "UPDATED_NEW"})
			if err != nil {
				return "", err
			}
			return plain(out.Attributes["n"]).(map[string]any)["N"].(string), nil
		}
		// API_UpdateItem / Expressions.UpdateExpressions: SET a = a + :v and ADD
		// are exact decimal arithmetic (no float rounding).
		DescribeTable("update arithmetic is exact decimal arithmetic",
			func(start, expr, operand, want string) {
				got, err := arith(start, expr, operand)
				Expect(err).NotTo(HaveOccurred())
				Expect(got).To(Equal(want))
			},
			Entry("0.1 + 0.2", "0.1", "SET n = n + :v", "0.2", "0.3"),
			Entry("1 - 0.1", "1", "SET n = n - :v", "0.1", "0.9"),
			Entry("a 38-digit sum", "99999999999999999999999999999999999998", "SET n = n + :v", "1", "99999999999999999999999999999999999999"),
			Entry("a carry into the 39th digit that rounds nothing away", "99999999999999999999999999999999999999", "SET n = n + :v", "1", "100000000000000000000000000000000000000"),
			Entry("beyond float64 precision", "9007199254740992", "ADD n :v", "1", "9007199254740993"),
			Entry("a negative result", "5", "SET n = n - :v", "7.5", "-2.5"),
			Entry("ADD a negative number", "10", "ADD n :v", "-10", "0"),
			Entry("large exponents", "1E+100", "SET n = n + :v", "1E+100", "2"+strings.Repeat("0", 100)),
		)

		It("arithmetic that overflows the range fails with ValidationException", func() {
			// test_update_expression_plus_overflow: 9e125 + 9e125.
			_, err := arith("9E+125", "SET n = n + :v", "9E+125")
			Expect(err).To(beAPIError(errValidation, "~overflow"))
		})

		It("arithmetic that needs more than 38 digits fails with ValidationException", func() {
			_, err := arith("1E+50", "SET n = n + :v", "1")
			// test_update_expression_plus_imprecise: DynamoDB rejects it (its
			// message says "overflow", so only the type is checked).
			Expect(err).To(beAPIError(errValidation))
		})

		DescribeTable("conditions compare numbers by value, not as text",
			func(stored, op, operand string, holds bool) {
				k := e.key()
				_, err := e.ddb.PutItem(e.ctx, &dynamodb.PutItemInput{TableName: h, Item: item("pk", S(k), "n", N(stored))})
				Expect(err).NotTo(HaveOccurred())
				_, err = e.ddb.UpdateItem(e.ctx, &dynamodb.UpdateItemInput{TableName: h, Key: item("pk", S(k)),
					UpdateExpression: aws.String("SET m = :one"), ConditionExpression: aws.String("n " + op + " :v"),
					ExpressionAttributeValues: item(":v", N(operand), ":one", N("1"))})
				if holds {
					Expect(err).NotTo(HaveOccurred())
				} else {
					Expect(err).To(beAPIError(errConditional))
				}
			},
			Entry("10 > 9", "10", ">", "9", true),
			Entry("-1 < -0.5", "-1", "<", "-0.5", true),
			Entry("1.0 = 1", "1.0", "=", "1", true),
			Entry("100 > 1E1", "100", ">", "1E1", true),
			Entry("2 > 10 is false", "2", ">", "10", false),
			Entry("38-digit values differing in the last digit", "12345678901234567890123456789012345678", "<", "12345678901234567890123456789012345679", true),
			Entry("tiny magnitudes", "1E-130", ">", "0", true),
		)
	})
}

func itoa(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
