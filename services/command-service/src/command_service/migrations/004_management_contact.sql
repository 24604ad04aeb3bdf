-- Whom a hotel's management alerts go to (late or high-value cancellations). Optional: NULL for a hotel
-- registered without one, and for every hotel registered before there was one. The cancellation reads it
-- with the booking and puts it into the alert, so the mailer needs no copy of the hotels.
ALTER TABLE hotels ADD COLUMN management_email text;
