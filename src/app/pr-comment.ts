import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { GitHubComments, GitLabNotes, type CommentThread } from '../review/comments.js';

export type CommentHost = 'github' | 'gitlab';

const missing = (names: string[], host: string) =>
  new UsageError(`--comment ${host} needs ${names.join(', ')} in the environment`, {
    suggestions: [
      host === 'github'
        ? 'run it in a GitHub Actions job of a pull_request event, with env: { GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }} }'
        : 'run it in a merge-request pipeline, with GITLAB_TOKEN set to an access token with the api scope',
    ],
  });

/** The pull request a GitHub Actions event is about: pull_request and pull_request_target, or a comment on one. */
function pullRequestNumber(eventPath: string): number | undefined {
  let event: {
    pull_request?: { number?: unknown };
    issue?: { number?: unknown; pull_request?: unknown };
    number?: unknown;
  };
  try {
    event = JSON.parse(readFileSync(eventPath, 'utf8'));
  } catch (error) {
    throw new UsageError(`GITHUB_EVENT_PATH ${eventPath}: ${(error as Error).message}`, {
      suggestions: [
        'GitHub Actions sets it; outside Actions, point it at a JSON file like {"pull_request": {"number": 12}}',
      ],
    });
  }
  const number =
    event.pull_request?.number ?? (event.issue?.pull_request ? event.issue.number : undefined) ?? event.number;
  return typeof number === 'number' && Number.isInteger(number) && number > 0 ? number : undefined;
}

/**
 * Where `--comment HOST` writes, from the CI job's environment, checked before anything runs: GitHub Actions'
 * GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH (the pull request) and GITHUB_API_URL; GitLab CI's
 * GITLAB_TOKEN, CI_API_V4_URL, CI_PROJECT_ID and CI_MERGE_REQUEST_IID.
 */
export function commentThread(host: CommentHost, env: NodeJS.ProcessEnv): CommentThread {
  if (host === 'github') {
    const absent = ['GITHUB_TOKEN', 'GITHUB_REPOSITORY', 'GITHUB_EVENT_PATH'].filter((name) => !env[name]);
    if (absent.length > 0) throw missing(absent, host);
    const number = pullRequestNumber(env.GITHUB_EVENT_PATH!);
    if (number === undefined)
      throw new UsageError(`--comment github: the event in ${env.GITHUB_EVENT_PATH} is not about a pull request`, {
        suggestions: ['run the step on: pull_request (or pull_request_target)'],
      });
    return new GitHubComments({
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      repository: env.GITHUB_REPOSITORY!,
      number,
      token: env.GITHUB_TOKEN!,
    });
  }
  const absent = ['GITLAB_TOKEN', 'CI_API_V4_URL', 'CI_PROJECT_ID', 'CI_MERGE_REQUEST_IID'].filter(
    (name) => !env[name],
  );
  if (absent.length > 0) throw missing(absent, host);
  return new GitLabNotes({
    apiUrl: env.CI_API_V4_URL!,
    project: env.CI_PROJECT_ID!,
    iid: Number(env.CI_MERGE_REQUEST_IID),
    token: env.GITLAB_TOKEN!,
  });
}

/**
 * One comment per pull request and marker: the one that holds `marker` is updated in place (the first, if several
 * do), else a new one is created. Posted as it is: the body is built to fit (report/base-diff-view.ts).
 */
export async function upsertComment(
  thread: CommentThread,
  marker: string,
  body: string,
): Promise<{ action: 'created' | 'updated' | 'unchanged'; id: number; where: string }> {
  const existing = (await thread.list()).find((comment) => comment.body.includes(marker));
  if (existing) {
    // The same text again is left alone: an edit would notify no one, but it would move the comment's edited time.
    if (existing.body === body) return { action: 'unchanged', id: existing.id, where: thread.label };
    await thread.update(existing.id, body);
    return { action: 'updated', id: existing.id, where: thread.label };
  }
  const created = await thread.create(body);
  return { action: 'created', id: created.id, where: thread.label };
}
