package conformance

// defineSpecs declares every area's specs (one file per area). It runs
// once per process, before RunSpecs builds the tree.
func defineSpecs(e *env) {
	e.tablesSpecs()
	e.itemsSpecs()
	e.typesSpecs()
	e.numbersSpecs()
	e.conditionSpecs()
	e.updateSpecs()
	e.projectionSpecs()
	e.querySpecs()
	e.scanSpecs()
	e.paginationSpecs()
	e.batchSpecs()
	e.errorsSpecs()
	e.capacitySpecs()
	e.transactionsSpecs()
	e.indexesSpecs()
	e.collectionsSpecs()
	e.ttlSpecs()
	e.authSpecs()
}
