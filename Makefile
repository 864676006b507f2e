# Cellular resume-automation platform. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

CELLS ?= 3
CELL ?=
PART ?=
TSX := node --import tsx
ORCH := $(TSX) deploy/local/cli.ts

.PHONY: add-cell remove-cell drain-cell rebalance move-user unpin-user cancel-migration migration-status migrator bench-router bench-web bench-workflow bench-cell-discovery bench-migration bench-user-data cellctl lockfile openapi web web-dev smoke-test load-test test-failover bench-ai bench-cell bench-pdf bench-capacity bench-honesty help deps dev-cells dev stop status logs kill-cell start-cell restart-router clean migrate \
	test check lint format typecheck test-unit test-integration bench

help: ## List every target with what it does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

deps: node_modules/.installed ## Install Node dependencies (npm ci) and Postgres/Redis/poppler from apt when missing
	@bash deploy/local/ensure-deps.sh

# --- Local multi-cell platform ------------------------------------------------------------

# The web app is rebuilt only when one of its sources is newer than the build.
WEB_SOURCES := $(shell find web/src web/index.html web/vite.config.ts -type f 2>/dev/null)

web/dist/index.html: $(WEB_SOURCES) package-lock.json
	npx vite build --config web/vite.config.ts --logLevel warn

web: deps web/dist/index.html ## Build the web app into web/dist (only when its sources changed); the router serves it at /

web-dev: deps ## Vite dev server with hot reload on :5173, proxying /v1 to the router (ROUTER_URL, default :8080)
	npx vite --config web/vite.config.ts

dev-cells: deps web/dist/index.html ## Start N cells + control plane + shared services + router on :8080 (CELLS=3); on a running platform grows it or removes empty cells
	@$(ORCH) up --cells $(CELLS)

dev: deps web/dist/index.html ## Start a one-cell platform
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
	npx tsc -p web/tsconfig.json
	npx tsc -p loadtest/tsconfig.json
	npx vitest run --config vitest.unit.config.ts
	npx vitest run --config vitest.integration.config.ts

check: deps ## Format/lint check and typecheck only
	npx biome ci .
	npx tsc --noEmit
	npx tsc -p web/tsconfig.json
	npx tsc -p loadtest/tsconfig.json

lint: deps ## Lint and format check (Biome)
	npx biome ci .

format: deps ## Format and apply safe lint fixes
	npx biome check --write .

typecheck: deps ## Type-check the platform, the web app and the k6 scripts
	npx tsc --noEmit
	npx tsc -p web/tsconfig.json
	npx tsc -p loadtest/tsconfig.json

test-unit: deps ## Unit tests only
	npx vitest run --config vitest.unit.config.ts

test-integration: deps ## Integration tests only (real Postgres and Redis)
	npx vitest run --config vitest.integration.config.ts

openapi: deps ## Regenerate docs/openapi.json and the web app's API types from the routes' zod schemas
	$(TSX) deploy/tools/openapi.ts

lockfile: ## After `npm install`: complete package-lock.json so `npm ci` accepts it
	npm install --no-audit --no-fund
	$(TSX) deploy/tools/complete-lockfile.ts

# --- Load and failover (k6, for SREs) ----------------------------------------------------

WARMUP ?= 20
FAULT_WINDOW ?= 20
RECOVERY ?= 20

smoke-test: ## Hit every public endpoint once through the router with checks (needs k6)
	@bash loadtest/require-k6.sh && k6 run loadtest/smoke.ts

load-test: ## Run the k6 load mix against the running platform (RATE, USERS, DURATION; needs k6)
	@bash loadtest/run-load.sh

test-failover: ## k6 failover drill: kill PART of cell CELL=k under load, restart, verdict (PART=api|worker|postgres|redis)
	@WARMUP=$(WARMUP) FAULT_WINDOW=$(FAULT_WINDOW) RECOVERY=$(RECOVERY) bash loadtest/run-failover.sh $(CELL) $(PART)

# --- Benchmarks ---------------------------------------------------------------------------

BENCHES := bench-router bench-pdf bench-ai bench-cell bench-cell-discovery bench-workflow bench-capacity bench-migration bench-user-data bench-honesty bench-web

bench: deps ## Run every benchmark, then write bench/results/report.{json,md} and the capacity chart
	@mkdir -p bench/results
	@for target in $(BENCHES); do $(MAKE) --no-print-directory $$target || echo "$$target failed" >&2; done
	$(TSX) bench/report.ts

bench-ai: deps ## AI optimizer: cache hit rates, cost vs always-premium, near-dup false hits, overhead
	@mkdir -p bench/results
	$(TSX) bench/ai.ts

bench-web: deps ## Web app budget in Chromium: initial JS gzipped, jobs page time to interactive, long tasks scrolling 1,000 jobs
	@mkdir -p bench/results
	$(TSX) bench/web.ts

bench-honesty: deps ## Tailoring honesty: fabrication recall per kind, false rejections of faithful paraphrases, keyword coverage
	@mkdir -p bench/results
	$(TSX) bench/honesty.ts

bench-cell: deps ## Cell job listing with 10,000 jobs for one user: p95 at the cell
	@mkdir -p bench/results
	$(TSX) bench/cell-jobs.ts

bench-cell-discovery: deps ## Cell discovery: cost of near-duplicate detection when ingesting a 500-posting board
	@mkdir -p bench/results
	$(TSX) bench/cell-discovery.ts

# The commit before the text-layer fix: bench-pdf times it against today's renderer in one run.
PDF_BASELINE ?= b0d0054

bench-pdf: deps ## PDF: render medians (1 and 3 pages), vs PDF_BASELINE in the same run, PDFs/s, Chromium ratio
	@mkdir -p bench/results
	BENCH_PDF_BASELINE=$(PDF_BASELINE) $(TSX) bench/pdf.ts

bench-workflow: deps ## Workflows/s one cell completes end to end (auto, embedded AI, real PDF, fake board), p95
	@mkdir -p bench/results
	$(TSX) bench/workflow.ts

bench-capacity: deps ## Latency against load through the router, 1 cell vs 3 cells (+ SVG chart)
	@mkdir -p bench/results
	$(TSX) bench/capacity.ts

bench-migration: deps ## Live migration on a real 3-cell platform grown to 4 under load: users/s, MB/s, freeze p50/p99, others' p95 ratio
	@mkdir -p bench/results
	$(TSX) bench/migration.ts

bench-user-data: deps ## What a move costs the two cells, warm and in process, step by step: Node and Postgres CPU per step
	@mkdir -p bench/results
	$(TSX) bench/user-data.ts

bench-router: deps ## Router: ring balance/movement/lookup, then direct vs nginx (hash consistent) vs router
	@mkdir -p bench/results
	@bash deploy/local/ensure-deps.sh nginx-light:nginx
	$(TSX) bench/router-ring.ts
	$(TSX) bench/router.ts

CELLCTL = ROUTER_URL=$${ROUTER_URL:-http://127.0.0.1:8080} \
	ADMIN_TOKEN=$${ADMIN_TOKEN:-$$(node -p "require('./.dev/secrets.json').ADMIN_TOKEN" 2>/dev/null)} \
	$(TSX) router/cli/cellctl.ts

cellctl: ## Operate cells via the router admin API: make cellctl ARGS="status" (needs ADMIN_TOKEN, ROUTER_URL)
	@$(CELLCTL) $(ARGS)

# --- Cell lifecycle (live per-user migration; docs/reference/operations.md) ---------------

TO ?=
ACCOUNT ?=
DRY_RUN ?=

add-cell: ## Start the next cell's processes, register it and rebalance users onto it (live progress)
	@$(ORCH) add-cell
	@$(CELLCTL) watch

remove-cell: ## Unregister empty cell CELL=k and stop its processes (refused while it holds users)
	@$(ORCH) remove-cell --cell $(CELL)

drain-cell: ## Migrate every user off cell CELL=k; it ends drained (live progress)
	@$(CELLCTL) drain cell-$(CELL)

rebalance: ## Move every user whose cell is not their ring owner (DRY_RUN=1: users and bytes per source -> target)
	@$(CELLCTL) rebalance $(if $(DRY_RUN),--dry-run)

move-user: ## Migrate one user to a cell and pin them: make move-user ACCOUNT=<id|email> TO=cell-k
	@$(CELLCTL) move $(ACCOUNT) $(TO)

unpin-user: ## Migrate a pinned user back to their ring owner: make unpin-user ACCOUNT=<id|email>
	@$(CELLCTL) unpin $(ACCOUNT)

cancel-migration: ## Stop the running migration: in-flight users roll back, moved users stay moved
	@$(CELLCTL) cancel

migration-status: ## Cells and the running migration's progress
	@$(CELLCTL) status

migrator: ## Run the migrator once as its own process (resumes a crashed operation), then exit
	@env $$($(ORCH) migrator-env) $(TSX) router/migration/main.ts
