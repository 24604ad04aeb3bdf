-- A booking takes every night of its stay or none. The reservation statement calls this when some
-- night is full; it raises a check violation of its own (`stay_nights_full`, the full nights in its
-- detail), so the statement takes nothing even when it runs alone, without a transaction around it.
CREATE FUNCTION refuse_full_nights(full_nights date[]) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'no room free on %', array_to_string(full_nights, ', ')
        USING ERRCODE = 'check_violation', CONSTRAINT = 'stay_nights_full',
              DETAIL = array_to_string(full_nights, ',');
END
$$;
