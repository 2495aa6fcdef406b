-- Requests made to a vendor per UTC day, across runs: the FMP_DAILY_LIMIT budget.
CREATE TABLE barfill_api_usage (
    vendor   text   NOT NULL,
    day      date   NOT NULL,
    requests bigint NOT NULL,
    PRIMARY KEY (vendor, day)
);
