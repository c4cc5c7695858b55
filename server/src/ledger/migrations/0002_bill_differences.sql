-- Reconciling the ledger with WeChat Pay's own bills (docs/ledger.md, "Reconciling with WeChat Pay's bills").
-- One row per difference found between a day's trade/refund bill and the ledger, for an operator to read; a
-- second run for the same day lands on the same primary key and adds nothing.
CREATE TABLE bill_differences (
  -- The Beijing date of the bill.
  bill_date       date        NOT NULL,
  kind            text        NOT NULL CHECK (kind IN
                    ('payment_missing_in_ledger', 'payment_missing_in_bill', 'payment_amount_differs',
                     'payment_transaction_differs', 'refund_missing_in_ledger', 'refund_missing_in_bill',
                     'refund_amount_differs', 'refund_status_differs')),
  -- What the difference is about: the out_trade_no for a payment, the out_refund_no for a refund.
  reference       text        NOT NULL,
  order_id        text,
  transaction_id  text,
  -- Both sides' values (amounts in fen); never an openid.
  detail          jsonb       NOT NULL,
  -- True once the difference was repaired (a payment we did not know handed to the usual payment path).
  healed          boolean     NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (bill_date, kind, reference)
);
CREATE INDEX bill_differences_unhealed ON bill_differences (created_at) WHERE NOT healed;

-- One row per day whose bills were reconciled: the daily schedule runs a day once.
CREATE TABLE bill_reconciliations (
  bill_date       date        PRIMARY KEY,
  payments        integer     NOT NULL,
  refunds         integer     NOT NULL,
  differences     integer     NOT NULL,
  finished_at     timestamptz NOT NULL DEFAULT now()
);
