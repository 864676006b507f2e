/**
 * Cell discovery benchmark: what near-duplicate detection costs when a
 * 500-posting board is ingested into a cell that already holds thousands of
 * indexed postings (real Postgres and Redis started here, a local fake
 * Greenhouse board). Per round it times the whole first `syncBoard` of a board
 * of new generated postings, and, in the same round, the near-duplicate work
 * alone (MinHash signatures of the 500 postings, and the one candidate query
 * against the band index), so the ratio shows the share of ingest it takes. A
 * board of light edits of earlier postings checks that they all join their job.
 * Writes bench/results/cell-discovery.json and prints the same JSON.
 *
 * Run: make bench-cell-discovery  (or node --import tsx bench/cell-discovery.ts)
 * Env: SEED_BOARDS (default 10, of 500 postings each), ROUNDS (default 5).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { migrateCell } from '../cell/db/migrate.ts';
import { postingSignature, postingTitleKey } from '../cell/domain/discovery/fingerprint.ts';
import { loadNearDuplicateIndex, postingShape } from '../cell/domain/discovery/near-duplicates.ts';
import { buildCellServices } from '../cell/services.ts';
import { startThrowawayServers } from '../deploy/local/native-servers.ts';
import type { JobInput } from '../lib/ai/contract.ts';
import { htmlToText } from '../lib/ai/embedded/index.ts';
import { newId } from '../lib/ids.ts';
import { createLogger } from '../lib/logger.ts';
import { createMetrics } from '../lib/metrics.ts';
import {
  generateJob,
  lightlyEdit,
} from '../shared-services/ai-optimizer/test-support/job-corpus.ts';
import { boardPosting, startFakeJobBoards } from '../test/fakes/job-boards/fake-job-boards.ts';
import { median } from './stats.ts';

const BOARD_SIZE = 500;
const SEED_BOARDS = Number(process.env.SEED_BOARDS ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

const servers = await startThrowawayServers({ label: 'cell-discovery-bench' });
const boards = await startFakeJobBoards();
try {
  await migrateCell(servers.postgresUrl);
  const logger = createLogger({ service: 'bench', level: 'silent' });
  const services = buildCellServices(
    {
      CELL_ID: 'cell-bench',
      DATABASE_URL: servers.postgresUrl,
      REDIS_URL: servers.redisUrl,
      LOG_LEVEL: 'silent',
      QUEUE_PREFIX: 'bench',
      AI_OPTIMIZER_URL: 'http://127.0.0.1:9',
      PDF_SERVICE_URL: 'http://127.0.0.1:9',
      MIGRATE_ON_START: false,
      JOB_BOARD_GREENHOUSE_URL: boards.urls.greenhouse,
    },
    logger,
    createMetrics({ service: 'bench' }),
  );
  const userId = newId();
  await services.users.initialize({ id: userId, email: 'bench@example.test', name: 'Bench' });
  let boardNo = 0;
  let seed = 1;
  /** A board of BOARD_SIZE new distinct postings, followed by the user. */
  async function newBoard(jobs?: JobInput[]): Promise<{ board: string; jobs: JobInput[] }> {
    const board = `bench-${++boardNo}`;
    const list = jobs ?? Array.from({ length: BOARD_SIZE }, () => generateJob(seed++));
    boards.setBoard(
      'greenhouse',
      board,
      list.map((job, i) => boardPosting(String(boardNo * 1_000_000 + i), job)),
    );
    await services.sql`
      insert into job_sources (id, user_id, provider, board)
      values (${newId()}, ${userId}, 'greenhouse', ${board})`;
    return { board, jobs: list };
  }

  const seeded: JobInput[][] = [];
  for (let i = 0; i < SEED_BOARDS; i++) {
    const { board, jobs } = await newBoard();
    await services.discovery.syncBoard('greenhouse', board);
    seeded.push(jobs);
  }

  const syncMs: number[] = [];
  const signatureMs: number[] = [];
  const candidateQueryMs: number[] = [];
  let created = 0;
  let merged = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const { board, jobs } = await newBoard();
    let t = performance.now();
    const shapes = jobs.map((job) => {
      const posting = { title: job.title, description: htmlToText(job.description) };
      return postingShape(postingTitleKey(posting), postingSignature(posting));
    });
    signatureMs.push(performance.now() - t);
    await services.sql.begin(async (tx) => {
      t = performance.now();
      await loadNearDuplicateIndex(tx, shapes);
      candidateQueryMs.push(performance.now() - t);
    });
    t = performance.now();
    const summary = await services.discovery.syncBoard('greenhouse', board);
    syncMs.push(performance.now() - t);
    created += summary.created;
    merged += summary.duplicates;
  }

  // Light edits of a seeded board, on a new board: every one joins its original's job.
  const edited = await newBoard((seeded[0] ?? []).map((job, i) => lightlyEdit(job, 31 * i + 7)));
  const t = performance.now();
  const edits = await services.discovery.syncBoard('greenhouse', edited.board);
  const editSyncMs = performance.now() - t;

  const [counts] = await services.sql<{ postings: number; bands: number }[]>`
    select (select count(*)::int from postings) as postings,
           (select count(*)::int from posting_lsh_bands) as bands`;
  const report = {
    benchmark: 'cell-discovery',
    boardSize: BOARD_SIZE,
    indexedPostingsBefore: SEED_BOARDS * BOARD_SIZE,
    rounds: ROUNDS,
    firstSyncMedianMs: median(syncMs),
    nearDuplicateWork: {
      signaturesMedianMs: median(signatureMs),
      candidateQueryMedianMs: median(candidateQueryMs),
      shareOfFirstSync:
        (median(signatureMs) + median(candidateQueryMs)) / Math.max(median(syncMs), 1e-9),
    },
    distinctBoards: { postings: ROUNDS * BOARD_SIZE, created, wronglyMerged: merged },
    lightEditBoard: {
      postings: BOARD_SIZE,
      created: edits.created,
      joined: edits.duplicates,
      nearDuplicates: edits.nearDuplicates,
      syncMs: editSyncMs,
    },
    totals: counts,
  };
  const json = JSON.stringify(report, null, 2);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/cell-discovery.json', `${json}\n`);
  console.log(json);
  await services.close();
} finally {
  await boards.close();
  await servers.stop();
}
