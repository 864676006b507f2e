# Cellular resume-automation platform. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CELLS ?= 3
CELL ?=
PART ?=
TSX := node --import tsx
ORCH := $(TSX) deploy/local/cli.ts

.PHONY: lockfile help deps dev-cells dev stop status logs kill-cell start-cell restart-router clean migrate \
	test check lint format typecheck test-unit test-integration bench

help: ## List every target with what it does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed ## Install Node dependencies (npm ci) and Postgres/Redis/poppler from apt when missing
	@bash deploy/local/ensure-deps.sh

# --- Local multi-cell platform ------------------------------------------------------------

dev-cells: deps ## Start N cells + control plane + shared services + router on :8080 (CELLS=3)
	@$(ORCH) up --cells $(CELLS)

dev: deps ## Start a one-cell platform
	@$(ORCH) up --cells 1

stop: ## Stop every process `make dev-cells` started (by pid, nothing else)
	@$(ORCH) stop

status: ## Show each process of the platform with its health
	@$(ORCH) status

logs: ## Tail the logs (CELL=k for one cell)
	@$(ORCH) logs $(if $(CELL),--cell $(CELL))

kill-cell: ## Kill one part of one cell: CELL=k PART=api|worker|postgres|redis
	@$(ORCH) kill --cell $(CELL) --part $(PART)

start-cell: ## Start whatever parts of cell CELL=k are not running
	@$(ORCH) start --cell $(CELL)

restart-router: ## Restart the router process
	@$(ORCH) restart-router

migrate: deps ## Run the database migrations of every cell and the control plane of the running platform
	@$(ORCH) migrate

clean: ## Stop everything and delete local data (.dev/)
	@$(ORCH) clean

# --- Quality ------------------------------------------------------------------------------

test: deps ## Format/lint check, typecheck, unit tests and integration tests
	npx biome ci .
	npx tsc --noEmit
	npx vitest run --config vitest.unit.config.ts
	npx vitest run --config vitest.integration.config.ts

check: deps ## Format/lint check and typecheck only
	npx biome ci .
	npx tsc --noEmit

lint: deps ## Lint and format check (Biome)
	npx biome ci .

format: deps ## Format and apply safe lint fixes
	npx biome check --write .

typecheck: deps ## Type-check (tsc --noEmit)
	npx tsc --noEmit

test-unit: deps ## Unit tests only
	npx vitest run --config vitest.unit.config.ts

test-integration: deps ## Integration tests only (real Postgres and Redis)
	npx vitest run --config vitest.integration.config.ts

# --- Benchmarks ---------------------------------------------------------------------------

bench: deps ## Run every benchmark and write bench/results/
	@mkdir -p bench/results

lockfile: ## After `npm install`: complete package-lock.json so `npm ci` accepts it
	npm install --no-audit --no-fund
	$(TSX) deploy/tools/complete-lockfile.ts

# --- AI optimizer -------------------------------------------------------------------------

bench-ai: deps ## AI optimizer benchmark: cache hit rates, cost vs always-premium, near-dup false hits, overhead
	@mkdir -p bench/results
	$(TSX) bench/ai.ts
bench-cell: deps ## Cell job listing with 10,000 jobs for one user: p95 at the cell (bench/results/cell-jobs.json)
	@mkdir -p bench/results
	$(TSX) bench/cell-jobs.ts
# --- PDF service --------------------------------------------------------------------------

.PHONY: bench-pdf
bench-pdf: deps ## PDF: render medians (1 and 3 pages), service PDFs/s, headless Chromium ratio -> bench/results/pdf.json
	@mkdir -p bench/results
	$(TSX) bench/pdf.ts
# --- Applications workflow ----------------------------------------------------------------

.PHONY: bench-workflow
bench-workflow: deps ## Workflow: workflows/s one cell completes end to end (auto, embedded AI, real PDF service, fake board), p95 -> bench/results/workflow.json
	@mkdir -p bench/results
	$(TSX) bench/workflow.ts
