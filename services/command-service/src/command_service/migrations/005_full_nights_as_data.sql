-- A full night is no longer an error raised in PostgreSQL: the reservation statement locks the stay's
-- nights, finds the full ones and returns them as data, writing nothing (`adapters/reservation.py`). The
-- function that raised the refusal (migration 002) has no caller left.
DROP FUNCTION IF EXISTS refuse_full_nights(date[]);
