/** Where the tests find PostgreSQL: `KOJI_TEST_DATABASE_URL`, default the local server. */
export const adminUrl: string = process.env.KOJI_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres"

/** The same server, another database. */
export const databaseUrl = (name: string): string => {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}
