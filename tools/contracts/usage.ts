// What a frontend team writes first, against the clients generated from docs/openapi: book a stay,
// then find the hotel with read-your-writes. `tsc` checks it in `make contracts-check`, so a spec
// change that makes these calls awkward or wrong (a renamed operation, a body field gone, an answer or
// a problem no longer typed) fails CI, not the integrator.
import createClient from "openapi-fetch";
import type { components as CommandTypes, paths as CommandPaths } from "./build/typescript/command-service";
import type { components as QueryTypes, paths as QueryPaths } from "./build/typescript/query-service";

type BookStay = CommandTypes["schemas"]["BookStay"];
type CommandAccepted = CommandTypes["schemas"]["CommandAccepted"];
type HotelCard = QueryTypes["schemas"]["HotelCard"];

export interface Found {
  accepted: CommandAccepted;
  hotels: HotelCard[];
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
  if (booked.error !== undefined) {
    // Every refusal is a problem document: tell them apart by `type` or `status`.
    throw new Error(`${booked.error.status} ${booked.error.type}: ${booked.error.detail}`);
  }
  const accepted: CommandAccepted = booked.data;

  const page = await queries.GET("/hotels", {
    params: {
      query: { city, check_in: stay.check_in, check_out: stay.check_out, guests: stay.guests },
      header: { "x-consistency-token": accepted.consistency_token },
    },
  });
  if (page.error !== undefined) {
    throw new Error(`${page.error.status} ${page.error.type}: ${page.error.detail}`);
  }
  return { accepted, hotels: page.data.items };
}
