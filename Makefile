# Two commands set everything up: `make run` (the tour) and `make test`.
.PHONY: deps run test bench mpi-check

deps:
	@scripts/install-deps

run: deps
	swift build -c release --product rnnkit
	.build/release/rnnkit tour

test: deps
	swift test

bench: deps
	swift run -c release rnnkit-bench

mpi-check: deps
	scripts/mpi-check
