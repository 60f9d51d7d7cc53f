// Compiled by the contract test (`tsc --noEmit`): if a service's API changes shape, this stops
// compiling. It is also the usage example of clients/README.md.
import { createContentClient, type Problem } from "../content";
import { createMetricsClient } from "../metrics";

const content = createContentClient({
  baseUrl: "http://localhost:8001",
  token: "eyJ...", // a bearer JWT from the OIDC provider
});

export async function firstFeedPage(): Promise<string[]> {
  const { data, error } = await content.GET("/v1/feed", { params: { query: { limit: 20 } } });
  if (error) {
    throw new Error(describe(error));
  }
  // `next_cursor` goes back as `cursor` for the next page; null on the last one.
  const titles = data.items.map((item) => item.title);
  if (data.next_cursor) {
    await content.GET("/v1/feed", { params: { query: { cursor: data.next_cursor } } });
  }
  return titles;
}

export async function draftItem(): Promise<string> {
  const { data, error, response } = await content.POST("/v1/items", {
    params: { header: { "Idempotency-Key": crypto.randomUUID() } },
    body: { family: "company", title: "We are hiring in Lyon", url: "https://acme.example/jobs" },
  });
  if (error) {
    // Branch on the problem's `type`, not on its wording; 422 lists each invalid field.
    const fields = (error.errors ?? []).map((e) => `${e.location.join(".")}: ${e.message}`);
    throw new Error(`${response.status} ${error.type} ${fields.join("; ")}`);
  }
  return data.id;
}

export function describe(problem: Problem): string {
  return `${problem.status} ${problem.title}${problem.detail ? `: ${problem.detail}` : ""}`;
}

export const metrics = createMetricsClient({ baseUrl: "http://localhost:8004" });
