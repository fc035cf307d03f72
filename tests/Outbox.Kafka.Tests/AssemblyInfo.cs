// One mock cluster serves every test, and some tests take its broker down: the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
