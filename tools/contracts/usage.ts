// What a frontend team writes first, against the clients generated from docs/openapi: book a stay,
// then find the hotel and read the booking with read-your-writes. `tsc` checks it in
// `make contracts-check`, so a spec change that makes these calls awkward or wrong (a renamed
// operation, a body field gone, an answer, header or problem no longer typed) fails CI, not the
// integrator.
import createClient from "openapi-fetch";
import type {
  components as CommandTypes,
  operations as CommandOperations,
  paths as CommandPaths,
} from "./build/typescript/command-service";
import type {
  components as QueryTypes,
  operations as QueryOperations,
  paths as QueryPaths,
} from "./build/typescript/query-service";

// By operation id, as generated SDKs name their methods.
type BookStay = CommandOperations["bookStay"]["requestBody"]["content"]["application/json"];
type Booked = CommandOperations["bookStay"]["responses"][202];
type SearchHotels = NonNullable<QueryOperations["searchHotels"]["parameters"]["query"]>;
type Problem = CommandTypes["schemas"]["Problem"];
type HotelCard = QueryTypes["schemas"]["HotelCard"];
type BookingDetail = QueryOperations["getBooking"]["responses"][200]["content"]["application/json"];

export interface Found {
  bookingId: string;
  location: Booked["headers"]["Location"];
  hotels: HotelCard[];
  booking: BookingDetail;
}

function explain(problem: Problem): Error {
  // A problem is told apart by its `type` URI (docs/problems.md), never by its title or detail.
  return new Error(`${problem.status} ${problem.type}: ${problem.detail ?? problem.title}`);
}

export async function bookAndFind(token: string, stay: BookStay, city: string): Promise<Found> {
  const commands = createClient<CommandPaths>({
    baseUrl: "http://127.0.0.1:8001",
    headers: { Authorization: `Bearer ${token}` },
  });
  const queries = createClient<QueryPaths>({ baseUrl: "http://127.0.0.1:8002" });

  const booked = await commands.POST("/bookings", {
    body: stay,
    params: { header: { "Idempotency-Key": "partner-portal:order-42" } },
  });
  if (booked.error !== undefined) throw explain(booked.error);
  const { booking_id: bookingId, consistency_token: consistency } = booked.data;
  if (bookingId === undefined || bookingId === null) throw new Error("a booking answer names its booking");

  const search: SearchHotels = {
    city,
    check_in: stay.check_in,
    check_out: stay.check_out,
    guests: stay.guests,
  };
  const page = await queries.GET("/hotels", {
    params: { query: search, header: { "X-Consistency-Token": consistency } },
  });
  if (page.error !== undefined) throw explain(page.error);

  const booking = await queries.GET("/bookings/{booking_id}", {
    params: { path: { booking_id: bookingId }, header: { "X-Consistency-Token": consistency } },
  });
  if (booking.error !== undefined) throw explain(booking.error);

  const location = booked.response.headers.get("Location") ?? `/bookings/${bookingId}`;
  return { bookingId, location, hotels: page.data.items, booking: booking.data };
}
