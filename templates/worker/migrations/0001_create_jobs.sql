-- The job queue (src/queue.rs). A job is `queued` until a consumer claims it
-- (`running`, under a lease: `locked_until`), then `done` with its result, or
-- back to `queued` with a later `run_at` after a failure, or `failed` once
-- `attempts` reached `max_attempts`, with the last error kept.
CREATE TABLE jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    text TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL CHECK (max_attempts > 0),
    run_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    locked_by TEXT,
    locked_until TIMESTAMPTZ,
    -- A client's retry of the same enqueue finds the first job instead of adding one.
    idempotency_key TEXT UNIQUE,
    result JSONB,
    last_error TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- What a claim scans: due queued jobs, and running ones whose lease ran out.
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE status = 'queued';
CREATE INDEX jobs_leased ON jobs (locked_until) WHERE status = 'running';
