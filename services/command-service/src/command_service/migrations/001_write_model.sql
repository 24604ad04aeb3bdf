-- The write model: hotels, room types, nights, bookings, idempotency keys, event log and outbox.

CREATE TABLE hotels (
    hotel_id      uuid        PRIMARY KEY,
    name          text        NOT NULL,
    city          text        NOT NULL,
    stars         smallint    NOT NULL CHECK (stars BETWEEN 1 AND 5),
    registered_at timestamptz NOT NULL,
    version       int         NOT NULL CHECK (version >= 1)
);

CREATE TABLE room_types (
    hotel_id      uuid          NOT NULL REFERENCES hotels (hotel_id),
    code          text          NOT NULL,
    name          text          NOT NULL,
    capacity      int           NOT NULL CHECK (capacity >= 0),
    max_guests    int           NOT NULL CHECK (max_guests >= 1),
    rate_amount   numeric(12,2) NOT NULL CHECK (rate_amount >= 0),
    rate_currency char(3)       NOT NULL,
    PRIMARY KEY (hotel_id, code)
);

-- One row per room type and night that has (or had) bookings. The CHECKs make overbooking
-- impossible whatever the application does, across any number of replicas.
CREATE TABLE room_nights (
    hotel_id  uuid NOT NULL,
    room_type text NOT NULL,
    night     date NOT NULL,
    booked    int  NOT NULL,
    capacity  int  NOT NULL,
    PRIMARY KEY (hotel_id, room_type, night),
    FOREIGN KEY (hotel_id, room_type) REFERENCES room_types (hotel_id, code),
    CONSTRAINT room_nights_not_overbooked CHECK (booked <= capacity),
    CONSTRAINT room_nights_booked_not_negative CHECK (booked >= 0)
);

CREATE TABLE bookings (
    booking_id          uuid          PRIMARY KEY,
    hotel_id            uuid          NOT NULL,
    room_type           text          NOT NULL,
    guest_id            text          NOT NULL,
    guest_name          text          NOT NULL,
    guest_email         text          NOT NULL,
    check_in            date          NOT NULL,
    check_out           date          NOT NULL CHECK (check_out > check_in),
    guests              int           NOT NULL CHECK (guests >= 1),
    nightly_rate        numeric(12,2) NOT NULL,
    currency            char(3)       NOT NULL,
    total_price         numeric(12,2) NOT NULL,
    status              text          NOT NULL CHECK (status IN ('active', 'cancelled')),
    booked_at           timestamptz   NOT NULL,
    cancelled_at        timestamptz,
    cancellation_reason text,
    refund_policy       text,
    refund              numeric(12,2),
    version             int           NOT NULL CHECK (version >= 1),
    FOREIGN KEY (hotel_id, room_type) REFERENCES room_types (hotel_id, code)
);
CREATE INDEX bookings_by_guest ON bookings (guest_id);

CREATE TABLE idempotency_keys (
    key           text        PRIMARY KEY,
    command       text        NOT NULL,
    request_hash  text        NOT NULL,
    status_code   int         NOT NULL,
    response_body jsonb       NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- The event log, exactly as docs/architecture.md describes it (the projector reads it).
CREATE TABLE events (
    global_position   bigint      PRIMARY KEY,
    event_id          uuid        NOT NULL UNIQUE,
    event_type        text        NOT NULL,
    schema_version    int         NOT NULL,
    aggregate_type    text        NOT NULL,
    aggregate_id      uuid        NOT NULL,
    aggregate_version int         NOT NULL,
    partition_key     text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    correlation_id    text        NOT NULL,
    causation_id      text        NOT NULL,
    data              jsonb       NOT NULL,
    UNIQUE (aggregate_id, aggregate_version)
);
-- Positions are taken under pg_advisory_xact_lock, so they commit in order.
CREATE SEQUENCE events_global_position_seq AS bigint OWNED BY events.global_position;

-- Events not yet confirmed by RabbitMQ. A row is deleted only after its publisher confirm.
CREATE TABLE outbox (
    global_position bigint      PRIMARY KEY REFERENCES events (global_position),
    attempts        int         NOT NULL DEFAULT 0,
    not_before      timestamptz NOT NULL DEFAULT '-infinity',
    last_error      text
);
