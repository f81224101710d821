import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A GitHub Actions event file for a pull request, as GITHUB_EVENT_PATH names it. */
export function pullRequestEvent(number: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'boutique-event-')), 'event.json');
  writeFileSync(path, JSON.stringify({ action: 'synchronize', number, pull_request: { number } }));
  return path;
}

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body?: { body?: string };
}

/** A GitHub REST API stand-in on 127.0.0.1: the issue comments of pull request shop/site#7, every request recorded. */
export async function fakeGitHub(seed: { id: number; body: string }[]) {
  const comments = [...seed];
  const requests: Recorded[] = [];
  let nextId = 1000;
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      const body = text ? JSON.parse(text) : undefined;
      requests.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      const url = new URL(request.url!, 'http://127.0.0.1');
      const reply = (status: number, value: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.headers.authorization !== 'Bearer test-token') return reply(401, { message: 'Bad credentials' });
      if (request.method === 'GET' && url.pathname === '/repos/shop/site/issues/7/comments') {
        const page = Number(url.searchParams.get('page') ?? 1);
        const perPage = Number(url.searchParams.get('per_page') ?? 30);
        return reply(200, comments.slice((page - 1) * perPage, page * perPage));
      }
      if (request.method === 'POST' && url.pathname === '/repos/shop/site/issues/7/comments') {
        const comment = { id: nextId++, body: body.body };
        comments.push(comment);
        return reply(201, comment);
      }
      const edited = /^\/repos\/shop\/site\/issues\/comments\/(\d+)$/.exec(url.pathname);
      const comment = edited && comments.find(({ id }) => id === Number(edited[1]));
      if (request.method === 'PATCH' && comment) {
        comment.body = body.body;
        return reply(200, comment);
      }
      reply(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    comments,
    requests,
    /** What a step of an Actions job on repository shop/site sees. */
    env: (eventPath: string) => ({
      GITHUB_TOKEN: 'test-token',
      GITHUB_API_URL: url,
      GITHUB_REPOSITORY: 'shop/site',
      GITHUB_EVENT_PATH: eventPath,
    }),
    stop: () => new Promise((resolve) => server.close(resolve)),
  };
}
