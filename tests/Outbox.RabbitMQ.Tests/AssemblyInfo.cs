// One broker serves every test, and one test stops it: the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
