-- The ledger: TokenTill's system of record for money (docs/ledger.md). Redis runs the live state machine;
-- every fact that involves money is committed here first. Amounts are integer fen, model cost numeric fen,
-- times timestamptz (UTC). Owners are HMAC(openid) keys, never raw openids.
--
-- Runs inside the schema named by DATABASE_SCHEMA (search_path), in one transaction.

CREATE TABLE orders (
  id              text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{8,64}$'),
  -- HMAC-SHA256 of the payer's openid (base64url), or 'orphan' for an order re-created from a payment alone.
  owner_key       text        NOT NULL CHECK (owner_key ~ '^[A-Za-z0-9_-]{6,64}$'),
  tier            text        NOT NULL,
  tier_title      text        NOT NULL,
  price_fen       integer     NOT NULL CHECK (price_fen >= 0),
  channel         text        NOT NULL DEFAULT 'wxpay' CHECK (channel = 'wxpay'),
  created_at      timestamptz NOT NULL,
  pay_by          timestamptz NOT NULL,
  updated_at      timestamptz NOT NULL DEFAULT now(),
  -- The latest state the journal knows (and the journal seq that set it), and the final one once reached.
  current_state   text        NOT NULL CHECK (current_state IN
                    ('CREATED', 'PAID', 'GENERATING', 'COMPLETED', 'FAILED', 'CLOSED', 'REFUNDING', 'REFUNDED',
                     'REFUND_FAILED')),
  state_seq       integer     NOT NULL DEFAULT 0,
  final_state     text        CHECK (final_state IN ('COMPLETED', 'CLOSED', 'REFUNDED', 'REFUND_FAILED')),
  -- Text has its own, shorter retention (LEDGER_TEXT_RETENTION_DAYS): erased, then text_erased_at is set.
  prompt_text     text,
  answer_text     text,
  text_erased_at  timestamptz,
  -- When the heal pass last compared this order with Redis.
  heal_checked_at timestamptz
);
CREATE INDEX orders_created_at ON orders (created_at);
CREATE INDEX orders_owner ON orders (owner_key, created_at DESC);
-- The heal pass looks only at paid orders that have not settled.
CREATE INDEX orders_unsettled ON orders (heal_checked_at NULLS FIRST)
  WHERE current_state NOT IN ('COMPLETED', 'REFUNDED', 'REFUND_FAILED');

-- One payment per order, and a WeChat Pay transaction credits one order only: a double credit cannot be stored.
CREATE TABLE payments (
  order_id        text        PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
  transaction_id  text        NOT NULL UNIQUE CHECK (length(transaction_id) BETWEEN 1 AND 64),
  amount_fen      integer     NOT NULL CHECK (amount_fen > 0),
  payer_total_fen integer     CHECK (payer_total_fen >= 0),
  currency        text        NOT NULL CHECK (currency = 'CNY'),
  paid_at         timestamptz NOT NULL,
  channel         text        NOT NULL DEFAULT 'wxpay' CHECK (channel = 'wxpay'),
  -- How we learned of it: the callback, or a query (confirm, reconciler).
  learned_via     text        NOT NULL CHECK (learned_via IN ('notify', 'query')),
  recorded_at     timestamptz NOT NULL DEFAULT now()
);

-- One refund per order with one out_refund_no, of a payment the ledger holds: a second refund cannot be stored.
CREATE TABLE refunds (
  order_id        text        PRIMARY KEY REFERENCES payments (order_id) ON DELETE CASCADE,
  out_refund_no   text        NOT NULL UNIQUE CHECK (length(out_refund_no) BETWEEN 1 AND 64),
  amount_fen      integer     NOT NULL CHECK (amount_fen > 0),
  reason          text        NOT NULL,
  status          text        NOT NULL CHECK (status IN ('REQUESTED', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL')),
  requested_at    timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Never more back than was paid.
CREATE FUNCTION refund_within_payment() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount_fen > (SELECT amount_fen FROM payments WHERE order_id = NEW.order_id) THEN
    RAISE EXCEPTION 'refund of % fen exceeds the payment of order %', NEW.amount_fen, NEW.order_id
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refunds_within_payment BEFORE INSERT OR UPDATE OF amount_fen ON refunds
  FOR EACH ROW EXECUTE FUNCTION refund_within_payment();

-- Every status a refund went through, once each.
CREATE TABLE refund_events (
  out_refund_no   text        NOT NULL REFERENCES refunds (out_refund_no) ON DELETE CASCADE,
  status          text        NOT NULL CHECK (status IN ('REQUESTED', 'PROCESSING', 'SUCCESS', 'CLOSED', 'ABNORMAL')),
  at              timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (out_refund_no, status)
);

-- What each model call of each generation attempt consumed and cost (cut and failed calls included).
CREATE TABLE model_spend (
  order_id           text          NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  generation_attempt integer       NOT NULL CHECK (generation_attempt > 0),
  call_index         integer       NOT NULL CHECK (call_index >= 0),
  model              text          NOT NULL,
  provider           text          NOT NULL,
  outcome            text          NOT NULL,
  prompt_tokens      integer       NOT NULL CHECK (prompt_tokens >= 0),
  completion_tokens  integer       NOT NULL CHECK (completion_tokens >= 0),
  usage_estimated    boolean       NOT NULL,
  cost_fen           numeric(12,4) NOT NULL CHECK (cost_fen >= 0),
  recorded_at        timestamptz   NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, generation_attempt, call_index)
);

-- Every state change, in order, with who made it. `seq` is the change's entry in the order's Redis stream, so a
-- write retried or backfilled from the stream lands on the same row. Append-only (trigger below).
CREATE TABLE order_journal (
  order_id        text        NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  seq             integer     NOT NULL CHECK (seq > 0),
  from_state      text,
  to_state        text        NOT NULL,
  -- 'api': a user's request through the API (cancel), or the API's own step (an order WeChat Pay refused).
  source          text        NOT NULL CHECK (source IN
                    ('notify', 'query', 'worker', 'reconciler', 'sweep', 'operator', 'api')),
  -- True when the row was rebuilt from the Redis stream by the heal pass (the live write had failed).
  backfilled      boolean     NOT NULL DEFAULT false,
  at              timestamptz NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, seq)
);

-- The journal is never rewritten. Rows go only when their order's retention ends, in a transaction that says so
-- with SET LOCAL tokentill.retention_purge = 'on' (ledger-retention.ts).
CREATE FUNCTION order_journal_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('tokentill.retention_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'order_journal is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER order_journal_append_only BEFORE UPDATE OR DELETE ON order_journal
  FOR EACH ROW EXECUTE FUNCTION order_journal_append_only();
CREATE TRIGGER order_journal_no_truncate BEFORE TRUNCATE ON order_journal
  FOR EACH STATEMENT EXECUTE FUNCTION order_journal_append_only();
