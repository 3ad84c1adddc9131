-- Idempotency-Key on POST (Stripe's semantics): the first request with a key claims it and its
-- answer is kept for 24 hours; the same key with the same request is answered from here without
-- running it again, with another request it is refused. A claim without an answer is a request
-- in progress (a duplicate waits for it); one older than ten minutes was abandoned (a crash) and
-- may be taken over.
CREATE TABLE idempotency_keys (
    org_id       bigint NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    key          text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request_hash text NOT NULL,
    method       text NOT NULL,
    path         text NOT NULL,
    status       int CHECK (status BETWEEN 100 AND 599),
    response     text,
    location     text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    PRIMARY KEY (org_id, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
