/**
 * Every operation of the stats API through openapi-fetch, typed by openapi-typescript from
 * the API's OpenAPI document (`make clients`): what the README's client section quotes,
 * compiled with `tsc --strict` against each auth mode's types and run by the e2e tier
 * against the local run in that mode.
 *
 *     node build/clients/js/<mode>/typescript/drive_api.mjs <url>
 *
 * with the settings the Python driver takes (AUTH, TOKEN and ANALYST_TOKEN, or the AWS_
 * and ANALYST_AWS_ credentials and AWS_REGION). It writes under a learner and a course of
 * its own, and prints what each operation answered.
 */
import { AwsClient } from "aws4fetch";
import createClient, { type Client, type Middleware } from "openapi-fetch";

import type { components, paths } from "./schema.js";

type Session = components["schemas"]["Session"];
type Api = Client<paths>;
// How a learner's request names the caller, as this mode's document types it: the userId
// header (header and IAM stages), or nothing (a JWT stage: the token's sub).
type Caller = paths["/courses/{courseId}"]["get"]["parameters"] extends { header: infer H }
  ? { header: H }
  : { header?: never };

function bearer(token: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set("authorization", `Bearer ${token}`);
      return request;
    },
  };
}

function jwtClient(baseUrl: string, token: string): Api {
  const client = createClient<paths>({ baseUrl });
  client.use(bearer(token));
  return client;
}

function iamClient(
  baseUrl: string,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
): Api {
  // aws4fetch signs each request with SigV4 for API Gateway, as an IAM stage demands.
  const aws = new AwsClient({ ...credentials, service: "execute-api", region });
  return createClient<paths>({ baseUrl, fetch: (request) => aws.fetch(request) });
}

function connect(baseUrl: string, mode: string, env: NodeJS.ProcessEnv): [Api, Api] {
  const setting = (name: string): string => {
    const value = env[name];
    if (!value) throw new Error(`${name} is required with AUTH=${mode}`);
    return value;
  };
  if (mode === "jwt") {
    return [jwtClient(baseUrl, setting("TOKEN")), jwtClient(baseUrl, setting("ANALYST_TOKEN"))];
  }
  if (mode === "iam") {
    const region = env.AWS_REGION ?? "us-east-1";
    const learner = {
      accessKeyId: setting("AWS_ACCESS_KEY_ID"),
      secretAccessKey: setting("AWS_SECRET_ACCESS_KEY"),
      sessionToken: env.AWS_SESSION_TOKEN,
    };
    const analyst = {
      accessKeyId: setting("ANALYST_AWS_ACCESS_KEY_ID"),
      secretAccessKey: setting("ANALYST_AWS_SECRET_ACCESS_KEY"),
    };
    return [iamClient(baseUrl, learner, region), iamClient(baseUrl, analyst, region)];
  }
  // A header-auth stage (dev) authenticates no one.
  return [createClient<paths>({ baseUrl }), createClient<paths>({ baseUrl })];
}

const answered: Record<string, number[]> = {};

/** The body of an answer with the expected status; anything else stops the drive. */
function expect<T>(operation: string, status: number, answer: { data?: T; response: Response }): T {
  (answered[operation] ??= []).push(answer.response.status);
  if (answer.response.status !== status || answer.data === undefined) {
    throw new Error(`${operation}: ${answer.response.status}`);
  }
  return answer.data;
}

function check(holds: boolean, what: string): void {
  if (!holds) throw new Error(`unexpected: ${what}`);
}

/** Every item, page after page, to the last (whose nextCursor is null). */
async function pages<T>(fetch: (cursor?: string) => Promise<[T[], string | null]>): Promise<T[]> {
  let [items, cursor] = await fetch();
  while (cursor !== null) {
    const [more, next] = await fetch(cursor);
    items = [...items, ...more];
    cursor = next;
  }
  return items;
}

async function drive(learner: Api, analyst: Api, caller: Caller): Promise<void> {
  const course = `client-${crypto.randomUUID().slice(0, 12)}`;
  const otherCourse = `client-${crypto.randomUUID().slice(0, 12)}`;
  // Both of the course's sessions fall on one past UTC day, so the course's days are one page
  // whenever the driver runs, in the hour after midnight too.
  const day = new Date();
  day.setUTCHours(0, 0, 0, 0);
  const at = (hour: number): string =>
    new Date(day.getTime() + (hour - 24) * 3_600_000).toISOString(); // yesterday, at `hour` UTC
  const first = {
    totalModulesStudied: 3,
    timeStudied: 42.5,
    averageScore: 87.5,
    sessionId: crypto.randomUUID(),
    completedAt: at(10),
  };
  const path = { courseId: course };

  const recorded: Session = expect(
    "recordSession",
    201,
    await learner.POST("/courses/{courseId}", { params: { path, ...caller }, body: first }),
  );
  const replayed = expect(
    "recordSession",
    200,
    await learner.POST("/courses/{courseId}", { params: { path, ...caller }, body: first }),
  );
  check(JSON.stringify(replayed) === JSON.stringify(recorded), "a replay answers the session");
  const fetched = expect(
    "fetchSession",
    200,
    await learner.GET("/courses/{courseId}/sessions/{sessionId}", {
      params: { path: { courseId: course, sessionId: recorded.sessionId }, ...caller },
    }),
  );
  check(JSON.stringify(fetched) === JSON.stringify(recorded), "a session reads back as recorded");
  const more = {
    totalModulesStudied: 1,
    timeStudied: 10,
    averageScore: 50,
    completedAt: at(12),
  };
  for (const courseId of [course, otherCourse]) {
    expect(
      "recordSession",
      201,
      await learner.POST("/courses/{courseId}", {
        params: { path: { courseId }, ...caller },
        body: more,
      }),
    );
  }

  const lifetime = expect(
    "fetchCourseStats",
    200,
    await learner.GET("/courses/{courseId}", { params: { path, ...caller } }),
  );
  check(lifetime.sessionCount === 2 && lifetime.totalModulesStudied === 4, "lifetime stats");
  const until = at(11);
  const window = expect(
    "fetchCourseStats",
    200,
    await learner.GET("/courses/{courseId}", { params: { path, query: { until }, ...caller } }),
  );
  check(window.sessionCount === 1, "a window holds the earlier session only");

  const courses = await pages(async (cursor) => {
    const page = expect(
      "listCourses",
      200,
      await learner.GET("/courses", { params: { query: { limit: 1, cursor }, ...caller } }),
    );
    return [page.courses, page.nextCursor];
  });
  check(
    courses.map((stats) => stats.courseId).sort().join() === [course, otherCourse].sort().join(),
    "every course",
  );
  const sessions = await pages(async (cursor) => {
    const page = expect(
      "listSessions",
      200,
      await learner.GET("/courses/{courseId}/sessions", {
        params: { path, query: { limit: 1, cursor }, ...caller },
      }),
    );
    return [page.sessions, page.nextCursor];
  });
  check(sessions.length === 2 && sessions[1]?.sessionId === recorded.sessionId, "every session");

  const withdrawal = await learner.DELETE("/courses/{courseId}/sessions/{sessionId}", {
    params: { path: { courseId: course, sessionId: recorded.sessionId }, ...caller },
  });
  (answered.withdrawSession ??= []).push(withdrawal.response.status);
  check(withdrawal.response.status === 204, "a withdrawal answers 204");

  // Analytics follow the table's stream: within seconds of the last write.
  const deadline = Date.now() + 30_000;
  let analytics = await analyst.GET("/analytics/courses/{courseId}", { params: { path } });
  while (analytics.data?.sessionCount !== 1 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    analytics = await analyst.GET("/analytics/courses/{courseId}", { params: { path } });
  }
  const totals = expect("fetchCourseAnalytics", 200, analytics);
  check(totals.learnerCount === 1 && totals.sessionCount === 1, "the course's analytics");
  const days = await pages(async (cursor) => {
    const page = expect(
      "listCourseDays",
      200,
      await analyst.GET("/analytics/courses/{courseId}/daily", {
        params: { path, query: { limit: 1, cursor } },
      }),
    );
    return [page.days, page.nextCursor];
  });
  check(days.reduce((sum, day) => sum + day.sessionCount, 0) === 1, "every day of the course");
}

const [baseUrl] = process.argv.slice(2);
if (baseUrl === undefined) throw new Error("usage: node drive_api.mjs <API URL>");
const mode = process.env.AUTH ?? "header";
const [learner, analyst] = connect(baseUrl.replace(/\/$/, ""), mode, process.env);
const userId = `client-${crypto.randomUUID()}`;
const caller = (mode === "jwt" ? {} : { header: { userId } }) as Caller;
await drive(learner, analyst, caller);
console.log(JSON.stringify(answered, Object.keys(answered).sort()));
