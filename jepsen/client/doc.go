// Package client turns the operations of a jepsen history into DynamoDB
// requests through aws-sdk-go-v2, so the workloads run against any endpoint
// that speaks the DynamoDB protocol, and turns the answers (or the errors,
// via history.Classify) back into completions.
//
// Every workload keeps its objects in one table with a string partition key
// "pk" ("k<key>"):
//
//	register: attribute v (N); read = GetItem ConsistentRead, write = PutItem,
//	          cas = UpdateItem SET v = :new with ConditionExpression v = :old
//	set:      attribute s (NS); add = UpdateItem ADD s {:e}; read = GetItem
//	counter:  attribute v (N); incr = UpdateItem ADD v :d; read = GetItem
//
//	bank:     attribute v (N) per account; transfer = TransactWriteItems of
//	          Update ADD v :-amount IF v >= :amount and Update ADD v :amount;
//	          read-all = TransactGetItems of every account
//	list-append: attribute l (L of N); txn = TransactWriteItems of
//	          Update SET l = list_append(if_not_exists(l, :empty), :e), or
//	          TransactGetItems of the keys read
//
// read-ec is the same GetItem with ConsistentRead false.
package client
